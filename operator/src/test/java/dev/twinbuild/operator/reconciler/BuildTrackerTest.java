package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.PodView;
import dev.twinbuild.store.BuildSummary;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.twinbuild.operator.reconciler.BuildTracker.Action.CREATE;
import static dev.twinbuild.operator.reconciler.BuildTracker.Action.DELETE;
import static dev.twinbuild.operator.reconciler.BuildTracker.Action.NONE;
import static org.assertj.core.api.Assertions.assertThat;

class BuildTrackerTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private final OperatorSettings settings = OperatorSettings.defaults()
            .withTiming(3, Duration.ofSeconds(10), Duration.ofSeconds(60));
    private final BuildTracker tracker = new BuildTracker(settings, 600);

    private static BuildStatus fresh() {
        BuildStatus b = new BuildStatus();
        b.name = "b0";
        b.index = 0;
        b.pod = "img-0123456789-b0";
        b.attempts = 0;
        return b;
    }

    private static PodView pod(String phase, int attempt, PodView.Terminated t) {
        return new PodView("img-0123456789-b0", attempt, phase, "node-a", T0, false, null, null, t, null);
    }

    private static PodView.Terminated exited(int code, String message) {
        return new PodView.Terminated(code, code == 0 ? "Completed" : "Error", message, T0, T0.plusSeconds(42));
    }

    @Test
    void aNewBuildCreatesItsPod() {
        BuildTracker.Step step = tracker.track(fresh(), null, T0);
        assertThat(step.action()).isEqualTo(CREATE);
        assertThat(step.status().attempts).isEqualTo(1);
    }

    @Test
    void aSucceededPodYieldsItsOutputs() {
        BuildStatus b = fresh();
        b.attempts = 1;
        String summary = BuildSummary.success(List.of(new BuildSummary.Output("tar", "img.tar", "a".repeat(64), 5,
                "s3://b/k/img.tar")), "s3://b/k/build-record.json").toTerminationMessage();

        BuildTracker.Step step = tracker.track(b, pod("Succeeded", 1, exited(0, summary)), T0.plusSeconds(50));

        assertThat(step.action()).isEqualTo(NONE);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Succeeded);
        assertThat(step.status().node).isEqualTo("node-a");
        assertThat(step.status().completionTime).isEqualTo(T0.plusSeconds(42).toString());
        assertThat(step.status().outputs).singleElement().satisfies(o -> {
            assertThat(o.location).isEqualTo("s3://b/k/img.tar");
            assertThat(o.sha256).isEqualTo("a".repeat(64));
        });
        assertThat(step.status().record).isEqualTo("s3://b/k/build-record.json");
    }

    @Test
    void aFailingStepIsFinalAtOnce() {
        BuildStatus b = fresh();
        b.attempts = 1;
        String summary = BuildSummary.failed("StepFailed", "step 'apt' exited 100").toTerminationMessage();

        BuildTracker.Step step = tracker.track(b, pod("Failed", 1, exited(3, summary)), T0.plusSeconds(50));

        assertThat(step.status().phase).isEqualTo(BuildPhase.Failed);
        assertThat(step.status().failure.reason).isEqualTo("StepFailed");
        assertThat(step.status().failure.message).isEqualTo("step 'apt' exited 100");
    }

    @Test
    void anUnreachableStoreIsRetriedWithBackoffThenGivenUp() {
        BuildStatus b = fresh();
        b.attempts = 1;
        String summary = BuildSummary.failed("StoreUnreachable", "connection refused").toTerminationMessage();

        BuildTracker.Step first = tracker.track(b, pod("Failed", 1, exited(3, summary)), T0);
        assertThat(first.action()).isEqualTo(DELETE);
        assertThat(first.status().phase).isEqualTo(BuildPhase.Pending);
        assertThat(first.wakeAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(first.status().failure.message).contains("attempt 1 of 3");

        assertThat(tracker.track(first.status(), null, T0.plusSeconds(5)).action()).isEqualTo(NONE);
        BuildTracker.Step retry = tracker.track(first.status(), null, T0.plusSeconds(10));
        assertThat(retry.action()).isEqualTo(CREATE);
        assertThat(retry.status().attempts).isEqualTo(2);

        BuildTracker.Step second = tracker.track(retry.status(), pod("Failed", 2, exited(3, summary)), T0.plusSeconds(20));
        assertThat(second.wakeAt()).isEqualTo(T0.plusSeconds(40)); // doubled
        BuildTracker.Step third = tracker.track(second.status(), null, T0.plusSeconds(40));
        BuildTracker.Step last = tracker.track(third.status(), pod("Failed", 3, exited(3, summary)), T0.plusSeconds(60));
        assertThat(last.status().phase).isEqualTo(BuildPhase.Failed);
        assertThat(last.status().failure.message).contains("gave up after 3 attempts");
    }

    @Test
    void aStalePodOfAnEarlierAttemptIsIgnored() {
        BuildStatus b = fresh();
        b.attempts = 2;
        b.phase = BuildPhase.Pending;
        BuildTracker.Step step = tracker.track(b, pod("Failed", 1, exited(3, "")), T0);
        assertThat(step.action()).isEqualTo(NONE);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Pending);
    }

    @Test
    void aVanishedPodCountsAsALostAttempt() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.phase = BuildPhase.Running;
        BuildTracker.Step step = tracker.track(b, null, T0);
        assertThat(step.status().failure.reason).isEqualTo(BuildTracker.POD_LOST);
        assertThat(step.status().retryAfter).isEqualTo(T0.plusSeconds(10).toString());
    }

    @Test
    void aRunningBuildTimesOut() {
        BuildStatus b = fresh();
        b.attempts = 1;
        BuildTracker.Step running = tracker.track(b, pod("Running", 1, null), T0.plusSeconds(100));
        assertThat(running.status().phase).isEqualTo(BuildPhase.Running);
        assertThat(running.wakeAt()).isEqualTo(T0.plusSeconds(630));

        BuildTracker.Step late = tracker.track(running.status(), pod("Running", 1, null), T0.plusSeconds(631));
        assertThat(late.action()).isEqualTo(DELETE);
        assertThat(late.status().failure.reason).isEqualTo(BuildTracker.TIMEOUT);
    }

    @Test
    void aPodUnschedulableBeyondTheGracePeriodIsReported() {
        BuildStatus b = fresh();
        b.attempts = 1;
        PodView pending = new PodView("p", 1, "Pending", null, null, false, null, null, null,
                new PodView.Unschedulable(T0, "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules."));

        BuildTracker.Step early = tracker.track(b, pending, T0.plusSeconds(30));
        assertThat(early.stall()).isNull();
        assertThat(early.wakeAt()).isEqualTo(T0.plusSeconds(60));
        PodFailures.Stall late = tracker.track(b, pending, T0.plusSeconds(61)).stall();
        assertThat(late.reason()).isEqualTo("InsufficientNodes");
        assertThat(late.message()).contains("anti-affinity", "need 2 schedulable nodes");
    }

    @Test
    void aCrashWithoutSummaryKeepsTheLogTail() {
        BuildStatus b = fresh();
        b.attempts = 3;
        BuildTracker.Step step = tracker.track(b, pod("Failed", 3, exited(137, "Exception in thread main ...")), T0);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Failed);
        assertThat(step.status().failure.reason).isEqualTo(BuildTracker.CRASHED);
        assertThat(step.status().failure.message).contains("exited 137", "Exception in thread main");
    }

    private static PodView waiting(String reason, String message) {
        return new PodView("img-0123456789-b0", 1, "Pending", "node-a", T0, false, null, null, null, null,
                new PodView.Waiting(reason, message), null);
    }

    private static PodView terminating(int attempt, Instant deadline) {
        return new PodView("img-0123456789-b0", attempt, "Running", "node-a", T0, true, null, null, null, null,
                null, deadline);
    }

    @Test
    void aContainerThatCannotStartStallsWithTheKubeletsWords() {
        BuildStatus b = fresh();
        b.attempts = 1;
        BuildTracker.Step step = tracker.track(b, waiting("ImagePullBackOff", "Back-off pulling image \"x:1\""),
                T0.plusSeconds(20));
        assertThat(step.action()).isEqualTo(NONE);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Pending);
        assertThat(step.stall().reason()).isEqualTo("ImagePullBackOff");
        assertThat(step.stall().message()).contains("b0", "node-a", "Back-off pulling image \"x:1\"");
        assertThat(step.wakeAt()).as("the build's deadline still holds").isEqualTo(T0.plusSeconds(630));

        BuildTracker.Step starting = tracker.track(b, waiting("ContainerCreating", null), T0.plusSeconds(20));
        assertThat(starting.stall()).as("an ordinary wait is no stall").isNull();
    }

    @Test
    void anInvalidImageNameFailsAtOnce() {
        BuildStatus b = fresh();
        b.attempts = 1;
        BuildTracker.Step step = tracker.track(b, waiting("InvalidImageName", "couldn't parse image name"), T0);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Failed);
        assertThat(step.status().failure.reason).isEqualTo("InvalidImageName");
        assertThat(step.action()).isEqualTo(DELETE);
    }

    @Test
    void aPodStuckTerminatingOnANotReadyNodeIsForceDeletedAndRetried() {
        BuildTracker dead = new BuildTracker(settings.withLostPodGrace(Duration.ofSeconds(60)), 600,
                node -> "NotReady since 2026-11-21T09:59:00Z: NodeStatusUnknown", 2);
        BuildStatus b = fresh();
        b.attempts = 1;
        BuildTracker.Step early = dead.track(b, terminating(1, T0), T0.plusSeconds(30));
        assertThat(early.action()).isEqualTo(NONE);
        assertThat(early.wakeAt()).isEqualTo(T0.plusSeconds(60));

        BuildTracker.Step lost = dead.track(b, terminating(1, T0), T0.plusSeconds(61));
        assertThat(lost.action()).isEqualTo(BuildTracker.Action.FORCE_DELETE);
        assertThat(lost.status().failure.reason).isEqualTo(BuildTracker.POD_LOST);
        assertThat(lost.status().failure.message).contains("node-a", "NotReady since", "attempt 1 of 3");
        assertThat(lost.status().retryAfter).isNotNull();

        BuildStatus last = fresh();
        last.attempts = 3;
        BuildTracker.Step gaveUp = dead.track(last, terminating(3, T0), T0.plusSeconds(61));
        assertThat(gaveUp.status().phase).isEqualTo(BuildPhase.Failed);
        assertThat(gaveUp.status().failure.message).contains("node-a", "NotReady", "gave up after 3 attempts");
        assertThat(gaveUp.action()).isEqualTo(BuildTracker.Action.FORCE_DELETE);
    }

    @Test
    void aPodTerminatingOnAReadyNodeIsLeftToItsKubelet() {
        BuildTracker alive = new BuildTracker(settings.withLostPodGrace(Duration.ofSeconds(60)), 600, node -> null, 2);
        BuildStatus b = fresh();
        b.attempts = 1;
        BuildTracker.Step step = alive.track(b, terminating(1, T0), T0.plusSeconds(61));
        assertThat(step.action()).isEqualTo(NONE);
        assertThat(step.status().failure).isNull();
        assertThat(step.wakeAt()).isEqualTo(T0.plusSeconds(121));
    }

    @Test
    void anUnreachableInputIsRetriedNotReportedAsBadInput() {
        BuildStatus b = fresh();
        b.attempts = 1;
        String summary = BuildSummary.failed("InputUnreachable",
                "spec.layers[0].tar.url: GET https://mirror.example/rootfs.tar failed 6 time(s); last: HTTP 503")
                .toTerminationMessage();
        BuildTracker.Step step = tracker.track(b, pod("Failed", 1, exited(4, summary)), T0.plusSeconds(60));
        assertThat(step.action()).isEqualTo(DELETE);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Pending);
        assertThat(step.status().retryAfter).isNotNull();
        assertThat(step.status().failure.reason).isEqualTo("InputUnreachable");
        assertThat(step.status().failure.message).contains("HTTP 503", "attempt 1 of 3");
    }
}
