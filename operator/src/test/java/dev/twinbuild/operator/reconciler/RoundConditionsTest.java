package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.Artifact;
import dev.twinbuild.operator.api.v1alpha1.BuildOutput;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.ReverificationRound;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.api.v1alpha1.VerificationRecord;
import dev.twinbuild.operator.status.Conditions;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A round's record and what it does to the conditions: a regression fails the verdict, a later pass restores it. */
class RoundConditionsTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    private static BuildStatus build(String name, String node, String sha) {
        BuildStatus b = new BuildStatus();
        b.name = name;
        b.node = node;
        b.phase = BuildPhase.Succeeded;
        b.outputs.add(new BuildOutput("tar", "x.tar", sha, 10L, "pvc://c/x.tar"));
        return b;
    }

    private static SystemImageStatus verdict() {
        SystemImageStatus s = new SystemImageStatus();
        s.phase = Phase.Reproducible;
        s.observedGeneration = 1L;
        s.artifacts.add(new Artifact("tar", "x.tar", A, 10L, "pvc://c/x.tar", "b0"));
        s.conditions = new Conditions(List.of(), 1, T0).set(Conditions.READY, true, "Reproducible", "")
                .set(Conditions.RECONCILING, false, "Reproducible", "").set(Conditions.STALLED, false, "Reproducible", "")
                .set(Conditions.REPRODUCIBLE, true, "Reproducible", "").build();
        return s;
    }

    private static ReverificationRound round(long n) {
        ReverificationRound r = new ReverificationRound();
        r.round = n;
        r.trigger = "Interval";
        r.startedAt = T0.toString();
        return r;
    }

    private static SystemImageStatus outcome(String sha0, String sha1) {
        SystemImageStatus s = new SystemImageStatus();
        s.phase = sha0.equals(sha1) ? Phase.Reproducible : Phase.Unreproducible;
        s.builds.addAll(List.of(build("b0", "node-a", sha0), build("b1", "node-b", sha1)));
        return s;
    }

    @Test
    void aChangedDigestIsARegressionThatFailsTheVerdictAndALaterPassRestoresIt() {
        SystemImageStatus previous = verdict();
        VerificationRecord r = RoundRecords.of(round(1), outcome(B, B), previous.artifacts, T0.plusSeconds(60));
        assertThat(r.result).isEqualTo(VerificationRecord.REGRESSION);
        assertThat(r.nodes).isEqualTo("node-a,node-b");
        assertThat(r.changes).extracting(c -> c.build).containsExactly("b0", "b1");
        assertThat(r.message).startsWith("round 1 (Interval) on nodes node-a,node-b: digests changed: x.tar (b0) "
                + "recorded aaaaaaaaaaaa now bbbbbbbbbbbb");

        SystemImageStatus regressed = copy(previous);
        RoundConditions.finished(regressed, previous, r, T0.plusSeconds(60));
        assertThat(regressed.phase).isEqualTo(Phase.Unreproducible);
        assertThat(Conditions.status(regressed.conditions, Conditions.READY)).isEqualTo("False");
        assertThat(Conditions.status(regressed.conditions, Conditions.STALLED)).isEqualTo("True");
        assertThat(Conditions.reason(regressed.conditions, Conditions.REPRODUCIBLE))
                .isEqualTo(RoundConditions.REGRESSION);
        assertThat(RoundConditions.regressed(regressed)).isTrue();

        VerificationRecord pass = RoundRecords.of(round(2), outcome(A, A), previous.artifacts, T0.plusSeconds(120));
        assertThat(pass.result).isEqualTo(VerificationRecord.PASSED);
        SystemImageStatus restored = copy(regressed);
        RoundConditions.finished(restored, regressed, pass, T0.plusSeconds(120));
        assertThat(restored.phase).isEqualTo(Phase.Reproducible);
        assertThat(Conditions.status(restored.conditions, Conditions.READY)).isEqualTo("True");
        assertThat(Conditions.reason(restored.conditions, Conditions.READY)).isEqualTo("Reverified");
        assertThat(Conditions.status(restored.conditions, RoundConditions.VERIFYING)).isEqualTo("False");
        assertThat(RoundConditions.regressed(restored)).isFalse();
    }

    @Test
    void aPassingRoundLeavesTheVerdictConditionsAlone() {
        SystemImageStatus previous = verdict();
        VerificationRecord r = RoundRecords.of(round(1), outcome(A, A), previous.artifacts, T0.plusSeconds(60));
        SystemImageStatus next = copy(previous);
        RoundConditions.finished(next, previous, r, T0.plusSeconds(60));
        assertThat(next.phase).isEqualTo(Phase.Reproducible);
        assertThat(next.conditions.stream().filter(c -> !RoundConditions.VERIFYING.equals(c.getType())).toList())
                .isEqualTo(previous.conditions);
    }

    @Test
    void buildsThatDifferAreARegressionEvenWithOneDigestAsRecorded() {
        SystemImageStatus previous = verdict();
        VerificationRecord r = RoundRecords.of(round(1), outcome(A, B), previous.artifacts, T0.plusSeconds(60));
        assertThat(r.result).isEqualTo(VerificationRecord.REGRESSION);
        assertThat(r.message).contains("builds differ: ");
        assertThat(r.digests).hasSize(2);
    }

    @Test
    void theHistoryKeepsTheLastTen() {
        List<VerificationRecord> history = List.of();
        for (long i = 1; i <= 12; i++) {
            VerificationRecord r = new VerificationRecord();
            r.round = i;
            history = RoundRecords.appended(history, r);
        }
        assertThat(history).extracting(r -> r.round)
                .containsExactlyElementsOf(IntStream.rangeClosed(3, 12).mapToObj(Long::valueOf).toList());
    }

    /** A deep copy, as the reconciler takes one of the previous status. */
    private static SystemImageStatus copy(SystemImageStatus s) {
        return Serialization.unmarshal(Serialization.asJson(s), SystemImageStatus.class);
    }
}
