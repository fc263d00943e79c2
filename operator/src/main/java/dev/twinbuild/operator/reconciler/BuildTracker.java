package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.BuildFailure;
import dev.twinbuild.operator.api.v1alpha1.BuildOutput;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.PodView;
import dev.twinbuild.pipeline.fetch.InputUnreachableException;
import dev.twinbuild.operator.store.BuildLayout;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.store.StoreException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Set;

/**
 * The life of one build, as a pure function of its last recorded status and its pod (if any): what its
 * status is now and what to do with its pod. Failures that may not recur (lost pod, eviction, store
 * down, a crash without a summary) are retried with doubling backoff up to a bound; failures that would
 * recur (a step failing, a bad input, a timeout) are final at once.
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
    /** InputUnreachable: a layer's server kept failing (network, 429, 5xx) through the builder's own retries. */
    private static final Set<String> RETRYABLE = Set.of(StoreException.UNREACHABLE, POD_LOST, "Evicted", CRASHED,
            InputUnreachableException.REASON);

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
    private final StoredSummaries summaries;

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
        this.summaries = summaries;
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
            return retryOrFail(b, FOREIGN_POD, "pod " + pod.name() + " (uid " + pod.uid()
                    + ") is not the pod the operator created for " + b.name, Action.DELETE, now);
        }
        b.pod = pod.name();
        b.node = pod.node();
        if (pod.startTime() != null) {
            b.startTime = pod.startTime().toString();
        }
        return switch (pod.phase()) {
            case "Succeeded" -> succeeded(b, pod, layout, now);
            case "Failed" -> failed(b, pod, now);
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
            return retryOrFail(b, POD_LOST, "pod " + b.pod + " disappeared before it finished", Action.NONE, now);
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

    private Step succeeded(BuildStatus b, PodView pod, BuildLayout layout, Instant now) {
        String message = pod.terminated() == null ? null : pod.terminated().message();
        BuildSummary summary = BuildSummary.parse(message);
        if (summary != null && summary.failure() != null && BuildSummary.TRUNCATED.equals(summary.failure().reason())) {
            try {
                summary = summaries.read(layout);
            } catch (StoreException e) {
                if (e.isTransient()) {
                    return new Step(b, Action.NONE, now.plus(settings.backoffAfter(2)), null);
                }
                return fail(b, INVALID_SUMMARY, "the summary did not fit the termination message, and the stored one "
                        + "cannot be used: " + e.getMessage(), Action.NONE, finished(pod, now));
            }
        }
        if (summary == null || !summary.succeeded() || summary.outputs() == null || summary.outputs().isEmpty()) {
            String why = summary != null && summary.failure() != null ? summary.failure().message()
                    : "no valid summary in the termination message: " + excerpt(message);
            return fail(b, summary != null && summary.failure() != null ? summary.failure().reason() : INVALID_SUMMARY,
                    why, Action.NONE, finished(pod, now));
        }
        String wrong = wrongLocations(summary, layout);
        if (wrong != null) {
            return fail(b, UNEXPECTED_LOCATION, wrong, Action.NONE, finished(pod, now));
        }
        b.phase = BuildPhase.Succeeded;
        b.failure = null;
        b.retryAfter = null;
        b.completionTime = finished(pod, now).toString();
        b.outputs = new ArrayList<>();
        for (BuildSummary.Output o : summary.outputs()) {
            b.outputs.add(new BuildOutput(o.format(), o.file(), o.sha256(), o.size(), o.location()));
        }
        b.record = summary.record();
        return new Step(b, Action.NONE, null, null);
    }

    /** Every output of the spec, each at the location the operator assigned, and nothing else. */
    public static String wrongLocations(BuildSummary summary, BuildLayout layout) {
        Set<String> seen = new java.util.HashSet<>();
        for (BuildSummary.Output o : summary.outputs()) {
            String expected = layout.outputLocation(o.file());
            if (expected == null) {
                return "the build reported an output " + o.file() + " that the spec does not have";
            }
            if (!expected.equals(o.location())) {
                return "the build reported " + o.file() + " at " + o.location() + ", expected " + expected;
            }
            if (!seen.add(o.file())) {
                return "the build reported " + o.file() + " twice";
            }
        }
        if (!seen.equals(layout.outputs().keySet())) {
            return "the build reported outputs " + seen + ", the spec has " + layout.outputs().keySet();
        }
        if (!layout.recordLocation().equals(summary.record())) {
            return "the build reported its record at " + summary.record() + ", expected " + layout.recordLocation();
        }
        return null;
    }

    private Step failed(BuildStatus b, PodView pod, Instant now) {
        if (b.retryAfter != null) {
            return new Step(b, Action.DELETE, Instant.parse(b.retryAfter), null); // already decided
        }
        String message = pod.terminated() == null ? null : pod.terminated().message();
        BuildSummary summary = BuildSummary.parse(message);
        String reason;
        String text;
        if (summary != null && summary.failure() != null) {
            reason = summary.failure().reason();
            text = summary.failure().message();
        } else if ("DeadlineExceeded".equals(pod.podReason())) {
            reason = TIMEOUT;
            text = "build exceeded verification.timeoutSeconds (" + timeout.toSeconds() + "s)";
        } else if ("Evicted".equals(pod.podReason())) {
            reason = "Evicted";
            text = String.valueOf(pod.podMessage());
        } else if (pod.terminated() != null && "OOMKilled".equals(pod.terminated().reason())) {
            reason = "OOMKilled";
            text = "the builder ran out of memory; raise twinbuild.builder.memory-limit";
        } else {
            reason = CRASHED;
            text = "builder exited " + (pod.terminated() == null ? "?" : pod.terminated().exitCode())
                    + " without a summary: " + excerpt(message);
        }
        if (RETRYABLE.contains(reason)) {
            return retryOrFail(b, reason, text, Action.DELETE, now);
        }
        return fail(b, reason, text, Action.NONE, finished(pod, now));
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
                return fail(b, cannotStart.reason(), cannotStart.message(), Action.DELETE, now);
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
        return retryOrFail(b, POD_LOST, "pod " + pod.name() + " was stuck terminating on node " + pod.node() + " ("
                + why + ") for " + Duration.between(pod.deletionDeadline() == null ? now : pod.deletionDeadline(), now)
                .toSeconds() + "s after its grace period; force-deleted", Action.FORCE_DELETE, now);
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
        return fail(b, TIMEOUT, "build exceeded verification.timeoutSeconds (" + timeout.toSeconds() + "s)",
                Action.DELETE, now);
    }

    /** The store could not issue the build's grants: retried later if it may come back, else final. */
    Step cannotStart(BuildStatus b, StoreException e, Instant now) {
        if (e.isTransient()) {
            return retryOrFail(b, e.reason(), "cannot issue upload grants: " + e.getMessage(), Action.NONE, now);
        }
        return fail(b, e.reason(), "cannot issue upload grants: " + e.getMessage(), Action.NONE, now);
    }

    private Step retryOrFail(BuildStatus b, String reason, String message, Action action, Instant now) {
        int attempts = b.attemptsOrZero();
        if (attempts >= settings.maxAttempts()) {
            return fail(b, reason, message + " (gave up after " + attempts + " attempts)", action, now);
        }
        Instant retryAt = now.plus(settings.backoffAfter(attempts));
        b.phase = BuildPhase.Pending;
        b.retryAfter = retryAt.toString();
        b.failure = new BuildFailure(bounded(reason, 128), bounded(message, 3800) + " (attempt " + attempts
                + " of " + settings.maxAttempts() + "; retrying after " + retryAt + ")");
        return new Step(b, action, retryAt, null);
    }

    private static Step fail(BuildStatus b, String reason, String message, Action action, Instant at) {
        b.phase = BuildPhase.Failed;
        b.retryAfter = null;
        b.failure = new BuildFailure(bounded(reason, 128), bounded(message, 4000));
        b.completionTime = at.toString();
        return new Step(b, action, null, null);
    }

    /** Status strings are bounded (CRD maxLength): reasons and messages come from builder pods. */
    static String bounded(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static Instant finished(PodView pod, Instant now) {
        return pod.terminated() != null && pod.terminated().finishedAt() != null ? pod.terminated().finishedAt() : now;
    }

    private static String excerpt(String s) {
        if (s == null || s.isBlank()) {
            return "(empty)";
        }
        String t = s.strip();
        return t.length() > 300 ? "…" + t.substring(t.length() - 300) : t;
    }
}
