package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.status.StatusComposer;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Instant;
import java.util.Set;

/**
 * What one pass of the reconciler sees of a SystemImage: the hash of its spec, its status as the pass found
 * it, its generation, its cached pods and the pass's time.
 */
record Observed(SystemImage si, String hash, SystemImageStatus previous, long generation, Set<Pod> pods,
                Instant now) {

    static Observed of(SystemImage si, Set<Pod> pods, Instant now) {
        long generation = si.getMetadata().getGeneration() == null ? 0 : si.getMetadata().getGeneration();
        return new Observed(si, Names.specHash(si.getSpec()), si.getStatus(), generation, pods, now);
    }

    /** The status records the current spec (not an earlier one, nor none yet). */
    boolean sameSpec() {
        return previous != null && hash.equals(previous.specHash);
    }

    /** The status when it records the current spec, else null. */
    SystemImageStatus same() {
        return sameSpec() ? previous : null;
    }

    /** The next status, composed from this one. */
    StatusComposer composer() {
        return new StatusComposer(previous, generation, now);
    }
}
