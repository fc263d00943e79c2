package dev.twinbuild.operator.admission;

import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.QueueLimits;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionTest {

    private static SystemImage image(String name, String created, Phase phase) {
        SystemImage si = Fixtures.systemImage(name, 2);
        si.getMetadata().setNamespace("ns");
        si.getMetadata().setUid("uid-" + name);
        si.getMetadata().setGeneration(1L);
        si.getMetadata().setCreationTimestamp(created);
        if (phase != null) {
            SystemImageStatus s = new SystemImageStatus();
            s.phase = phase;
            s.observedGeneration = 1L;
            BuildStatus b = new BuildStatus();
            b.attempts = 1;
            s.builds = new ArrayList<>(List.of(b));
            si.setStatus(s);
        }
        return si;
    }

    /**
     * The verdict's status patch reaches the informer cache only with its watch event, after reconcile()
     * called finished(): the next in line is promoted at once all the same (BuildQueueIT once waited >5 s).
     */
    @Test
    void theNextInLineIsPromotedAtOnceThoughTheCacheStillShowsTheFinishedImageBuilding() {
        SystemImage first = image("first", "2026-11-29T10:00:00Z", Phase.Building); // the cache's stale view
        SystemImage second = image("second", "2026-11-29T10:01:00Z", null);
        List<ResourceID> triggered = new ArrayList<>();
        Admission admission = new Admission(new QueueLimits(1, 1));
        admission.watch(() -> Stream.of(first, second), Stream::empty, triggered::add);
        assertThat(admission.admit(second, false).admitted()).isFalse();

        admission.finished(first);

        assertThat(triggered).containsExactly(new ResourceID("second", "ns"));
        assertThat(admission.admit(second, false).admitted()).as("its own reconcile sees the same").isTrue();
    }

    @Test
    void aNewSpecOfAFinishedImageCountsAgain() {
        SystemImage first = image("first", "2026-11-29T10:00:00Z", Phase.Building);
        SystemImage second = image("second", "2026-11-29T10:01:00Z", null);
        Admission admission = new Admission(new QueueLimits(1, 1));
        admission.watch(() -> Stream.of(first, second), Stream::empty, id -> { });
        admission.finished(first);
        first.getMetadata().setGeneration(2L); // edited and building again
        assertThat(admission.admit(second, false).admitted()).isFalse();
    }
}
