package dev.twinbuild.operator.admission;

import dev.twinbuild.operator.config.QueueLimits;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BuildQueueTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static BuildQueue.Entry waiting(String ns, String name, int second) {
        return new BuildQueue.Entry(ns, name, T0.plusSeconds(second), false);
    }

    private static BuildQueue.Entry building(String ns, String name) {
        return new BuildQueue.Entry(ns, name, T0, true);
    }

    private static List<String> admitted(BuildQueue.Plan plan) {
        return plan.admitted().stream().map(e -> e.namespace() + "/" + e.name()).toList();
    }

    @Test
    void firstComeFirstServedUpToTheClusterLimit() {
        BuildQueue q = new BuildQueue(new QueueLimits(3, 0));
        BuildQueue.Plan plan = q.plan(List.of(waiting("a", "late", 30), building("a", "x"), waiting("a", "early", 10),
                waiting("a", "middle", 20)));

        assertThat(plan.active()).isEqualTo(1);
        assertThat(admitted(plan)).containsExactly("a/early", "a/middle");
        assertThat(plan.position("a", "late")).isEqualTo(1);
        assertThat(plan.position("a", "early")).isZero();
        assertThat(plan.waiting()).isEqualTo(1);
    }

    @Test
    void aNamespaceAtItsLimitDoesNotHoldUpTheOthers() {
        BuildQueue q = new BuildQueue(new QueueLimits(10, 2));
        BuildQueue.Plan plan = q.plan(List.of(building("busy", "b1"), building("busy", "b2"),
                waiting("busy", "b3", 1), waiting("quiet", "q1", 50)));

        assertThat(admitted(plan)).containsExactly("quiet/q1");
        assertThat(plan.position("busy", "b3")).isEqualTo(1);
        assertThat(plan.perNamespace()).containsEntry("busy", 2);
    }

    @Test
    void aBurstInOneNamespaceDoesNotPushBackAnotherNamespacesLaterImage() {
        BuildQueue q = new BuildQueue(new QueueLimits(2, 0));
        List<BuildQueue.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            entries.add(waiting("burst", String.format("si-%03d", i), i));
        }
        entries.add(waiting("other", "one", 500));
        BuildQueue.Plan plan = q.plan(entries);

        // burst/si-000 and other/one are each their namespace's first build; other/one is admitted before si-001.
        assertThat(admitted(plan)).containsExactly("burst/si-000", "other/one");
        assertThat(plan.position("burst", "si-001")).isEqualTo(1);
        assertThat(plan.position("burst", "si-099")).isEqualTo(99);
    }

    @Test
    void fairnessCountsWhatANamespaceAlreadyRuns() {
        BuildQueue q = new BuildQueue(new QueueLimits(3, 0));
        BuildQueue.Plan plan = q.plan(List.of(building("a", "r1"), building("a", "r2"), waiting("a", "w1", 1),
                waiting("b", "w2", 9)));

        assertThat(admitted(plan)).containsExactly("b/w2");
        assertThat(plan.position("a", "w1")).isEqualTo(1);
    }

    @Test
    void noLimitAdmitsEveryone() {
        BuildQueue.Plan plan = new BuildQueue(QueueLimits.unlimited())
                .plan(List.of(waiting("a", "x", 1), waiting("a", "y", 2), building("b", "z")));
        assertThat(admitted(plan)).containsExactly("a/x", "a/y");
        assertThat(plan.waiting()).isZero();
    }

    @Test
    void theOrderIsStableForEqualCreationTimes() {
        BuildQueue q = new BuildQueue(new QueueLimits(1, 0));
        BuildQueue.Plan plan = q.plan(List.of(waiting("b", "x", 0), waiting("a", "y", 0), waiting("a", "x", 0)));
        assertThat(admitted(plan)).containsExactly("a/x");
        assertThat(plan.position("b", "x")).isEqualTo(1);
        assertThat(plan.position("a", "y")).isEqualTo(2);
    }
}
