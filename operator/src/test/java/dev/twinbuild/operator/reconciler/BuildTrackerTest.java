package dev.twinbuild.operator.reconciler;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.S3Store;
import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.PodView;
import dev.twinbuild.operator.store.BuildLayout;
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
    private static final BuildLayout LAYOUT = BuildLayout.of(Fixtures.systemImage("img", 2), "0123456789",
            s3Store(), 0);

    private static ArtifactStore s3Store() {
        ArtifactStore store = new ArtifactStore();
        store.s3 = new S3Store();
        store.s3.endpoint = "http://s3:9000";
        store.s3.bucket = "b";
        return store;
    }

    /** The summary of a build that stored both outputs of the fixture spec where the operator said. */
    private static String summaryAt(String tarLocation) {
        return BuildSummary.success(List.of(
                new BuildSummary.Output("tar", "img.tar", "a".repeat(64), 5, tarLocation),
                new BuildSummary.Output("tar.gz", "img.tar.gz", "b".repeat(64), 6, "s3://b/" + PREFIX + "/img.tar.gz")),
                "s3://b/" + PREFIX + "/build-record.json").toTerminationMessage();
    }

    private static final String PREFIX = "ns/img/0123456789/b0";

    private static BuildStatus fresh() {
        BuildStatus b = new BuildStatus();
        b.name = "b0";
        b.index = 0;
        b.pod = "img-0123456789-b0";
        b.attempts = 0;
        b.podUid = "uid-0";
        return b;
    }

    private static PodView pod(String phase, int attempt, PodView.Terminated t) {
        return new PodView("img-0123456789-b0", "uid-" + attempt, T0, attempt, phase, "node-a", T0, false, null, null,
                t, null);
    }

    private static PodView.Terminated exited(int code, String message) {
        return new PodView.Terminated(code, code == 0 ? "Completed" : "Error", message, T0, T0.plusSeconds(42));
    }

    @Test
    void aNewBuildCreatesItsPod() {
        BuildTracker.Step step = tracker.track(fresh(), null, LAYOUT, T0);
        assertThat(step.action()).isEqualTo(CREATE);
        assertThat(step.status().attempts).isEqualTo(1);
    }

    @Test
    void aSucceededPodYieldsItsOutputs() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        String summary = summaryAt("s3://b/" + PREFIX + "/img.tar");

        BuildTracker.Step step = tracker.track(b, pod("Succeeded", 1, exited(0, summary)), LAYOUT, T0.plusSeconds(50));

        assertThat(step.action()).isEqualTo(NONE);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Succeeded);
        assertThat(step.status().node).isEqualTo("node-a");
        assertThat(step.status().completionTime).isEqualTo(T0.plusSeconds(42).toString());
        assertThat(step.status().outputs).first().satisfies(o -> {
            assertThat(o.location).isEqualTo("s3://b/" + PREFIX + "/img.tar");
            assertThat(o.sha256).isEqualTo("a".repeat(64));
        });
        assertThat(step.status().record).isEqualTo("s3://b/" + PREFIX + "/build-record.json");
    }

    @Test
    void aFailingStepIsFinalAtOnce() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        String summary = BuildSummary.failed("StepFailed", "step 'apt' exited 100").toTerminationMessage();

        BuildTracker.Step step = tracker.track(b, pod("Failed", 1, exited(3, summary)), LAYOUT, T0.plusSeconds(50));

        assertThat(step.status().phase).isEqualTo(BuildPhase.Failed);
        assertThat(step.status().failure.reason).isEqualTo("StepFailed");
        assertThat(step.status().failure.message).isEqualTo("step 'apt' exited 100");
    }

    @Test
    void anUnreachableStoreIsRetriedWithBackoffThenGivenUp() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        String summary = BuildSummary.failed("StoreUnreachable", "connection refused").toTerminationMessage();

        BuildTracker.Step first = tracker.track(b, pod("Failed", 1, exited(3, summary)), LAYOUT, T0);
        assertThat(first.action()).isEqualTo(DELETE);
        assertThat(first.status().phase).isEqualTo(BuildPhase.Pending);
        assertThat(first.wakeAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(first.status().failure.message).contains("attempt 1 of 3");

        assertThat(tracker.track(first.status(), null, LAYOUT, T0.plusSeconds(5)).action()).isEqualTo(NONE);
        BuildTracker.Step retry = tracker.track(first.status(), null, LAYOUT, T0.plusSeconds(10));
        assertThat(retry.action()).isEqualTo(CREATE);
        assertThat(retry.status().attempts).isEqualTo(2);
        retry.status().podUid = "uid-2"; // what Generation records when it creates the pod

        BuildTracker.Step second = tracker.track(retry.status(), pod("Failed", 2, exited(3, summary)), LAYOUT, T0.plusSeconds(20));
        assertThat(second.wakeAt()).isEqualTo(T0.plusSeconds(40)); // doubled
        BuildTracker.Step third = tracker.track(second.status(), null, LAYOUT, T0.plusSeconds(40));
        third.status().podUid = "uid-3";
        BuildTracker.Step last = tracker.track(third.status(), pod("Failed", 3, exited(3, summary)), LAYOUT, T0.plusSeconds(60));
        assertThat(last.status().phase).isEqualTo(BuildPhase.Failed);
        assertThat(last.status().failure.message).contains("gave up after 3 attempts");
    }

    @Test
    void aStalePodOfAnEarlierAttemptIsIgnored() {
        BuildStatus b = fresh();
        b.attempts = 2;
        b.podUid = "uid-2";
        b.phase = BuildPhase.Pending;
        BuildTracker.Step step = tracker.track(b, pod("Failed", 1, exited(3, "")), LAYOUT, T0);
        assertThat(step.action()).isEqualTo(NONE);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Pending);
    }

    @Test
    void aVanishedPodCountsAsALostAttempt() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        b.phase = BuildPhase.Running;
        BuildTracker.Step step = tracker.track(b, null, LAYOUT, T0);
        assertThat(step.status().failure.reason).isEqualTo(BuildTracker.POD_LOST);
        assertThat(step.status().retryAfter).isEqualTo(T0.plusSeconds(10).toString());
    }

    @Test
    void aRunningBuildTimesOut() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        BuildTracker.Step running = tracker.track(b, pod("Running", 1, null), LAYOUT, T0.plusSeconds(100));
        assertThat(running.status().phase).isEqualTo(BuildPhase.Running);
        assertThat(running.wakeAt()).isEqualTo(T0.plusSeconds(630));

        BuildTracker.Step late = tracker.track(running.status(), pod("Running", 1, null), LAYOUT, T0.plusSeconds(631));
        assertThat(late.action()).isEqualTo(DELETE);
        assertThat(late.status().failure.reason).isEqualTo(BuildTracker.TIMEOUT);
    }

    @Test
    void aPodUnschedulableBeyondTheGracePeriodIsReported() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        PodView pending = new PodView("p", "uid-1", T0, 1, "Pending", null, null, false, null, null, null,
                new PodView.Unschedulable(T0, "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules."));

        BuildTracker.Step early = tracker.track(b, pending, LAYOUT, T0.plusSeconds(30));
        assertThat(early.stall()).isNull();
        assertThat(early.wakeAt()).isEqualTo(T0.plusSeconds(60));
        PodFailures.Stall late = tracker.track(b, pending, LAYOUT, T0.plusSeconds(61)).stall();
        assertThat(late.reason()).isEqualTo("InsufficientNodes");
        assertThat(late.message()).contains("anti-affinity", "need 2 schedulable nodes");
    }

    @Test
    void aCrashWithoutSummaryKeepsTheLogTail() {
        BuildStatus b = fresh();
        b.attempts = 3;
        b.podUid = "uid-3";
        BuildTracker.Step step = tracker.track(b, pod("Failed", 3, exited(137, "Exception in thread main ...")), LAYOUT, T0);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Failed);
        assertThat(step.status().failure.reason).isEqualTo(BuildTracker.CRASHED);
        assertThat(step.status().failure.message).contains("exited 137", "Exception in thread main");
    }

    private static PodView waiting(String reason, String message) {
        return new PodView("img-0123456789-b0", "uid-1", T0, 1, "Pending", "node-a", T0, false, null, null, null,
                null, new PodView.Waiting(reason, message), null);
    }

    private static PodView terminating(int attempt, Instant deadline) {
        return new PodView("img-0123456789-b0", "uid-" + attempt, T0, attempt, "Running", "node-a", T0, true, null,
                null, null, null, null, deadline);
    }

    @Test
    void aContainerThatCannotStartStallsWithTheKubeletsWords() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        BuildTracker.Step step = tracker.track(b, waiting("ImagePullBackOff", "Back-off pulling image \"x:1\""), LAYOUT,
                T0.plusSeconds(20));
        assertThat(step.action()).isEqualTo(NONE);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Pending);
        assertThat(step.stall().reason()).isEqualTo("ImagePullBackOff");
        assertThat(step.stall().message()).contains("b0", "node-a", "Back-off pulling image \"x:1\"");
        assertThat(step.wakeAt()).as("the build's deadline still holds").isEqualTo(T0.plusSeconds(630));

        BuildTracker.Step starting = tracker.track(b, waiting("ContainerCreating", null), LAYOUT, T0.plusSeconds(20));
        assertThat(starting.stall()).as("an ordinary wait is no stall").isNull();
    }

    @Test
    void anInvalidImageNameFailsAtOnce() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        BuildTracker.Step step = tracker.track(b, waiting("InvalidImageName", "couldn't parse image name"), LAYOUT, T0);
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
        b.podUid = "uid-1";
        BuildTracker.Step early = dead.track(b, terminating(1, T0), LAYOUT, T0.plusSeconds(30));
        assertThat(early.action()).isEqualTo(NONE);
        assertThat(early.wakeAt()).isEqualTo(T0.plusSeconds(60));

        BuildTracker.Step lost = dead.track(b, terminating(1, T0), LAYOUT, T0.plusSeconds(61));
        assertThat(lost.action()).isEqualTo(BuildTracker.Action.FORCE_DELETE);
        assertThat(lost.status().failure.reason).isEqualTo(BuildTracker.POD_LOST);
        assertThat(lost.status().failure.message).contains("node-a", "NotReady since", "attempt 1 of 3");
        assertThat(lost.status().retryAfter).isNotNull();

        BuildStatus last = fresh();
        last.attempts = 3;
        BuildTracker.Step gaveUp = dead.track(last, terminating(3, T0), LAYOUT, T0.plusSeconds(61));
        assertThat(gaveUp.status().phase).isEqualTo(BuildPhase.Failed);
        assertThat(gaveUp.status().failure.message).contains("node-a", "NotReady", "gave up after 3 attempts");
        assertThat(gaveUp.action()).isEqualTo(BuildTracker.Action.FORCE_DELETE);
    }

    @Test
    void aPodTerminatingOnAReadyNodeIsLeftToItsKubelet() {
        BuildTracker alive = new BuildTracker(settings.withLostPodGrace(Duration.ofSeconds(60)), 600, node -> null, 2);
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        BuildTracker.Step step = alive.track(b, terminating(1, T0), LAYOUT, T0.plusSeconds(61));
        assertThat(step.action()).isEqualTo(NONE);
        assertThat(step.status().failure).isNull();
        assertThat(step.wakeAt()).isEqualTo(T0.plusSeconds(121));
    }

    @Test
    void anUnreachableInputIsRetriedNotReportedAsBadInput() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        String summary = BuildSummary.failed("InputUnreachable",
                "spec.layers[0].tar.url: GET https://mirror.example/rootfs.tar failed 6 time(s); last: HTTP 503")
                .toTerminationMessage();
        BuildTracker.Step step = tracker.track(b, pod("Failed", 1, exited(4, summary)), LAYOUT, T0.plusSeconds(60));
        assertThat(step.action()).isEqualTo(DELETE);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Pending);
        assertThat(step.status().retryAfter).isNotNull();
        assertThat(step.status().failure.reason).isEqualTo("InputUnreachable");
        assertThat(step.status().failure.message).contains("HTTP 503", "attempt 1 of 3");
    }

    @Test
    void aPodThatReportsAnotherLocationDoesNotCount() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        // b0 claims its tar is where build b1's (or another namespace's) copy lives.
        String summary = summaryAt("s3://b/ns/img/0123456789/b1/img.tar");

        BuildTracker.Step step = tracker.track(b, pod("Succeeded", 1, exited(0, summary)), LAYOUT, T0.plusSeconds(50));

        assertThat(step.status().phase).isEqualTo(BuildPhase.Failed);
        assertThat(step.status().failure.reason).isEqualTo(BuildTracker.UNEXPECTED_LOCATION);
        assertThat(step.status().failure.message).contains("expected s3://b/" + PREFIX + "/img.tar");
        assertThat(step.status().outputs).isEmpty();
    }

    @Test
    void aPodThatLeavesOutAnOutputOrAddsOneDoesNotCount() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-1";
        String missing = BuildSummary.success(List.of(new BuildSummary.Output("tar", "img.tar", "a".repeat(64), 5,
                "s3://b/" + PREFIX + "/img.tar")), "s3://b/" + PREFIX + "/build-record.json").toTerminationMessage();
        assertThat(tracker.track(b, pod("Succeeded", 1, exited(0, missing)), LAYOUT, T0).status().failure.reason)
                .isEqualTo(BuildTracker.UNEXPECTED_LOCATION);

        BuildStatus c = fresh();
        c.attempts = 1;
        c.podUid = "uid-1";
        String extra = BuildSummary.success(List.of(new BuildSummary.Output("tar", "../../x/img.tar", "a".repeat(64),
                5, "s3://b/x/img.tar")), "s3://b/" + PREFIX + "/build-record.json").toTerminationMessage();
        assertThat(tracker.track(c, pod("Succeeded", 1, exited(0, extra)), LAYOUT, T0).status().failure.message)
                .contains("that the spec does not have");
    }

    @Test
    void aPodTheOperatorDidNotCreateDoesNotCount() {
        BuildStatus b = fresh();
        b.attempts = 1;
        b.podUid = "uid-ours";
        String summary = summaryAt("s3://b/" + PREFIX + "/img.tar");

        // Same name and attempt, another UID: someone replaced our pod. Deleted, never read.
        BuildTracker.Step step = tracker.track(b, pod("Succeeded", 1, exited(0, summary)), LAYOUT, T0.plusSeconds(50));

        assertThat(step.action()).isEqualTo(DELETE);
        assertThat(step.status().phase).isEqualTo(BuildPhase.Pending);
        assertThat(step.status().failure.reason).isEqualTo(BuildTracker.FOREIGN_POD);
        assertThat(step.status().outputs).isEmpty();
    }

    @Test
    void aPodWhoseUidTheStatusLacksIsGivenAGracePeriodThenDeleted() {
        BuildStatus b = fresh(); // e.g. our status write was lost, or a squatter took the name first
        String summary = summaryAt("s3://b/" + PREFIX + "/img.tar");
        PodView unknown = pod("Succeeded", 1, exited(0, summary));

        BuildTracker.Step early = tracker.track(b, unknown, LAYOUT, T0.plusSeconds(5));
        assertThat(early.action()).isEqualTo(NONE);
        assertThat(early.wakeAt()).isEqualTo(T0.plus(BuildTracker.UID_GRACE));
        assertThat(early.status().phase).isNotEqualTo(BuildPhase.Succeeded);

        BuildTracker.Step late = tracker.track(b, unknown, LAYOUT, T0.plus(BuildTracker.UID_GRACE));
        assertThat(late.action()).isEqualTo(DELETE);
        assertThat(late.status().failure.reason).isEqualTo(BuildTracker.FOREIGN_POD);
    }
}
