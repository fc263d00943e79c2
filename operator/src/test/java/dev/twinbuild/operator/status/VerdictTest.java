package dev.twinbuild.operator.status;

import dev.twinbuild.operator.api.v1alpha1.BuildOutput;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictTest {
    private static BuildStatus build(int i, String tarSha, String gzSha) {
        BuildStatus b = new BuildStatus();
        b.name = "b" + i;
        b.index = i;
        b.node = "node-" + i;
        b.outputs = List.of(new BuildOutput("tar", "img.tar", tarSha, 10L, "s3://b/b" + i + "/img.tar"),
                new BuildOutput("tar.gz", "img.tar.gz", gzSha, 5L, "s3://b/b" + i + "/img.tar.gz"));
        return b;
    }

    @Test
    void identicalOutputsAreReproducibleWithTheControlBuildsArtifacts() {
        Verdict v = Verdict.of(List.of(build(0, "1".repeat(64), "2".repeat(64)), build(1, "1".repeat(64), "2".repeat(64))));
        assertThat(v.reproducible()).isTrue();
        assertThat(v.mismatch()).isNull();
        assertThat(v.artifacts()).extracting(a -> a.location).containsExactly("s3://b/b0/img.tar", "s3://b/b0/img.tar.gz");
    }

    @Test
    void differingOutputsKeepBothCopies() {
        Verdict v = Verdict.of(List.of(build(0, "1".repeat(64), "2".repeat(64)), build(1, "1".repeat(64), "3".repeat(64))));
        assertThat(v.reproducible()).isFalse();
        assertThat(v.mismatch().outputs).singleElement().satisfies(o -> {
            assertThat(o.file).isEqualTo("img.tar.gz");
            assertThat(o.sha256).containsEntry("b0", "2".repeat(64)).containsEntry("b1", "3".repeat(64));
        });
        assertThat(v.artifacts()).extracting(a -> a.build + ":" + a.file)
                .containsExactly("b0:img.tar", "b0:img.tar.gz", "b1:img.tar.gz");
        assertThat(v.describeMismatch()).isEqualTo("img.tar.gz (b0 222222222222, b1 333333333333)");
    }

    @Test
    void conditionsAreSortedAndKeepTheirTransitionTime() {
        Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
        List<BuildStatus> builds = List.of(build(0, "1".repeat(64), "2".repeat(64)));
        SystemImageStatus first = new StatusComposer(null, 1, t0).inProgress("h", builds, null, null);
        assertThat(first.conditions).extracting(c -> c.getType())
                .containsExactly("Ready", "Reconciling", "Reproducible", "Stalled");

        SystemImageStatus later = new StatusComposer(first, 1, t0.plusSeconds(60))
                .inProgress("h", builds, StatusComposer.INSUFFICIENT_NODES, "one node only");
        assertThat(later.conditions).filteredOn(c -> c.getType().equals("Ready")).singleElement()
                .satisfies(c -> assertThat(c.getLastTransitionTime()).isEqualTo(t0.toString()));
        // kstatus reads Reconciling=True as InProgress before it looks at Stalled: a stall turns it off.
        assertThat(later.conditions).filteredOn(c -> c.getType().equals("Reconciling")).singleElement()
                .satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getLastTransitionTime()).isEqualTo(t0.plusSeconds(60).toString());
                });
        assertThat(later.conditions).filteredOn(c -> c.getType().equals("Stalled")).singleElement()
                .satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("True");
                    assertThat(c.getReason()).isEqualTo("InsufficientNodes");
                    assertThat(c.getLastTransitionTime()).isEqualTo(t0.plusSeconds(60).toString());
                });
    }
}
