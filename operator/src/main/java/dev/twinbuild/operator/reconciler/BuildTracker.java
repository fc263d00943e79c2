package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.PodView;
import dev.twinbuild.operator.store.BuildLayout;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.store.StoreException;

import java.time.Duration;
import java.time.Instant;

/**
 * The life of one build, as a pure function of its last recorded status and its pod (if any): what its
 * status is now and what to do with its pod. Failures that may not recur (lost pod, eviction, store
 * down, a crash without a summary) are retried with doubling backoff up to a bound; failures that would
 * recur (a step failing, a bad input, a timeout) are final at once (BuildRetries). What a pod that ended
 * says is read by BuildExit.
 */
public final class BuildTracker {
    public static final String POD_LOST = "PodLost";
    public static final String TIMEOUT = "Timeout";
    public static final String CRASHED = "BuilderCrashed";
    public static final String INVALID_SUMMARY = "InvalidSummary";
    public static final String CANCELLED = "Cancelled";
    /** The pod reported files or locations other than those the operator assigned to the build. */
    public static final String UNEXPECTED_LOCATION = "UnexpectedLocation";
    /** A pod of the build's name that the operator did not create (not the UID it recorded). */
    public static final String FOREIGN_POD = "ForeignPod";
    /** How long a pod whose UID the status does not (yet) record is given before it counts as foreign. */
    static final Duration UID_GRACE = Duration.ofSeconds(30);

    /** FORCE_DELETE: remove a pod whose node is gone (its kubelet can no longer confirm the deletion). */
    public enum Action { NONE, CREATE, DELETE, FORCE_DELETE }

    /**
     * @param wakeAt when this build needs a look even if nothing happens (null: on events only)
     * @param stall  set while the build cannot progress without a person (image pull error, unschedulable
     *               for longer than the grace period, …)
     */
    public record Step(BuildStatus status, Action action, Instant wakeAt, PodFailures.Stall stall) {
    }

    /** Whether a node can still finish what runs on it. */
    public interface NodeCheck {
        /** @return null when the node is Ready, else why it is not (NotReady since …, gone, …) */
        String notReady(String node);
    }

    /** Where a summary too large for the termination message is read: the store (ArtifactVerifier). */
    public interface StoredSummaries {
        /** @throws StoreException transient: looked at again later; otherwise the build fails */
        BuildSummary read(BuildLayout layout);
    }

    private final OperatorSettings settings;
    private final Duration timeout;
    private final NodeCheck nodes;
    private final int builds;
    private final BuildRetries retries;
    private final BuildExit exits;

    private static final StoredSummaries NO_STORE = layout -> {
        throw new StoreException(StoreException.REJECTED, "no store to read the summary from");
    };

    public BuildTracker(OperatorSettings settings, int timeoutSeconds) {
        this(settings, timeoutSeconds, node -> null, 2);
    }

    public BuildTracker(OperatorSettings settings, int timeoutSeconds, NodeCheck nodes, int builds) {
        this(settings, timeoutSeconds, nodes, builds, NO_STORE);
    }

    /** @param builds builds in this verification, for the messages */
    public BuildTracker(OperatorSettings settings, int timeoutSeconds, NodeCheck nodes, int builds,
                        StoredSummaries summaries) {
        this.settings = settings;
        this.timeout = Duration.ofSeconds(timeoutSeconds);
        this.nodes = nodes;
        this.builds = builds;
        this.retries = new BuildRetries(settings);
        this.exits = new BuildExit(settings, timeout, summaries, retries);
    }

    /** @param layout where the build's files must be: what its pod reports is checked against it */
    public Step track(BuildStatus b, PodView pod, BuildLayout layout, Instant now) {
        if (b.phaseOrPending().isFinal()) {
            return new Step(b, Action.NONE, null, null);
        }
        if (pod == null) {
            return withoutPod(b, now);
        }
        if (pod.deleting()) {
            return terminating(b, pod, now);
        }
        if (pod.attempt() < b.attemptsOrZero()) {
            return new Step(b, Action.NONE, null, null); // an old attempt on its way out
        }
        if (b.podUid == null || !b.podUid.equals(pod.uid()) || pod.attempt() != b.attemptsOrZero()) {
            // Not the pod we recorded. Our own status may lag behind a pod we just created (or its write
            // was lost): wait a little, then treat it as someone else's — it does not count.
            boolean other = b.podUid != null && pod.attempt() == b.attemptsOrZero();
            Instant graceEnd = (pod.created() == null ? now : pod.created()).plus(UID_GRACE);
            if (!other && now.isBefore(graceEnd)) {
                return new Step(b, Action.NONE, graceEnd, null);
            }
            return retries.retryOrFail(b, FOREIGN_POD, "pod " + pod.name() + " (uid " + pod.uid()
                    + ") is not the pod the operator created for " + b.name, Action.DELETE, now);
        }
        b.pod = pod.name();
        b.node = pod.node();
        if (pod.startTime() != null) {
            b.startTime = pod.startTime().toString();
        }
        return switch (pod.phase()) {
            case "Succeeded" -> exits.succeeded(b, pod, layout, now);
            case "Failed" -> exits.failed(b, pod, now);
            case "Running" -> running(b, pod, now);
            default -> pending(b, pod, now);
        };
    }

    private Step withoutPod(BuildStatus b, Instant now) {
        if (b.attemptsOrZero() == 0) {
            b.attempts = 1;
            b.phase = BuildPhase.Pending;
            return new Step(b, Action.CREATE, null, null);
        }
        if (b.retryAfter == null) {
            // We did not delete it: someone did, or its node went away.
            return retries.retryOrFail(b, POD_LOST, "pod " + b.pod + " disappeared before it finished",
                    Action.NONE, now);
        }
        Instant retryAt = Instant.parse(b.retryAfter);
        if (now.isBefore(retryAt)) {
            return new Step(b, Action.NONE, retryAt, null);
        }
        b.attempts = b.attemptsOrZero() + 1;
        b.retryAfter = null;
        b.node = null;
        b.startTime = null;
        b.phase = BuildPhase.Pending;
        return new Step(b, Action.CREATE, null, null);
    }

    private Step running(BuildStatus b, PodView pod, Instant now) {
        b.phase = BuildPhase.Running;
        return checkTimeout(b, pod, now);
    }

    private Step pending(BuildStatus b, PodView pod, Instant now) {
        b.phase = BuildPhase.Pending;
        PodFailures.Stall cannotStart = PodFailures.waiting(b, pod);
        if (cannotStart != null) {
            if (PodFailures.PERMANENT.contains(cannotStart.reason())) {
                return BuildRetries.fail(b, cannotStart.reason(), cannotStart.message(), Action.DELETE, now);
            }
            Step timeoutCheck = checkTimeout(b, pod, now);
            return timeoutCheck.status().phaseOrPending().isFinal() ? timeoutCheck
                    : new Step(b, Action.NONE, timeoutCheck.wakeAt(), cannotStart);
        }
        PodView.Unschedulable u = pod.unschedulable();
        if (u != null && u.since() != null) {
            Instant stalledAt = u.since().plus(settings.unschedulableGrace());
            if (!now.isBefore(stalledAt)) {
                return new Step(b, Action.NONE, null, PodFailures.unschedulable(b, builds,
                        settings.unschedulableGrace().toSeconds(), u.message()));
            }
            return new Step(b, Action.NONE, stalledAt, null);
        }
        return checkTimeout(b, pod, now);
    }

    /**
     * A pod being deleted is normally gone within its grace period. One still there long after sits on a
     * node whose kubelet cannot confirm the deletion (NotReady, gone): it is force-deleted, so that the
     * build can start again elsewhere (its name is deterministic), and the build counts it as lost.
     */
    private Step terminating(BuildStatus b, PodView pod, Instant now) {
        Instant deadline = pod.deletionDeadline() == null ? now : pod.deletionDeadline().plus(settings.lostPodGrace());
        if (now.isBefore(deadline)) {
            return new Step(b, Action.NONE, deadline, null);
        }
        String why = pod.node() == null ? "not bound to a node" : nodes.notReady(pod.node());
        if (why == null) {
            // The kubelet is alive: it will finish the deletion; look again later.
            return new Step(b, Action.NONE, now.plus(settings.lostPodGrace()), null);
        }
        boolean current = pod.attempt() >= b.attemptsOrZero() && b.retryAfter == null;
        if (!current) {
            return new Step(b, Action.FORCE_DELETE, b.retryAfter == null ? null : Instant.parse(b.retryAfter), null);
        }
        b.pod = pod.name();
        b.node = pod.node();
        return retries.retryOrFail(b, POD_LOST, "pod " + pod.name() + " was stuck terminating on node " + pod.node()
                + " (" + why + ") for "
                + Duration.between(pod.deletionDeadline() == null ? now : pod.deletionDeadline(), now).toSeconds()
                + "s after its grace period; force-deleted", Action.FORCE_DELETE, now);
    }

    /** activeDeadlineSeconds makes the kubelet stop the pod; this covers pods whose kubelet is gone. */
    private Step checkTimeout(BuildStatus b, PodView pod, Instant now) {
        if (pod.startTime() == null) {
            return new Step(b, Action.NONE, null, null);
        }
        Instant deadline = pod.startTime().plus(timeout).plusSeconds(30);
        if (now.isBefore(deadline)) {
            return new Step(b, Action.NONE, deadline, null);
        }
        return BuildRetries.fail(b, TIMEOUT, "build exceeded verification.timeoutSeconds (" + timeout.toSeconds()
                + "s)",
                Action.DELETE, now);
    }

    /** The store could not issue the build's grants: retried later if it may come back, else final. */
    Step cannotStart(BuildStatus b, StoreException e, Instant now) {
        if (e.isTransient()) {
            return retries.retryOrFail(b, e.reason(), "cannot issue upload grants: " + e.getMessage(), Action.NONE,
                    now);
        }
        return BuildRetries.fail(b, e.reason(), "cannot issue upload grants: " + e.getMessage(), Action.NONE, now);
    }

    /** Status strings are bounded (CRD maxLength): reasons and messages come from builder pods. */
    static String bounded(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
