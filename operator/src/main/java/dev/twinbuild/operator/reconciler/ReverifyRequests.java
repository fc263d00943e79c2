package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;

import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a SystemImage wake its reconciler: a new generation (as generation-aware processing
 * does), deletion, and a changed {@value Reverifier#ANNOTATION} — not its own status writes.
 */
public class ReverifyRequests implements OnUpdateFilter<SystemImage> {
    @Override
    public boolean accept(SystemImage next, SystemImage old) {
        return old == null || generation(next) > generation(old) || next.isMarkedForDeletion()
                || !Objects.equals(requested(next), requested(old));
    }

    private static long generation(SystemImage si) {
        Long g = si.getMetadata().getGeneration();
        return g == null ? 0 : g;
    }

    private static String requested(SystemImage si) {
        Map<String, String> a = si.getMetadata().getAnnotations();
        return a == null ? null : a.get(Reverifier.ANNOTATION);
    }
}
