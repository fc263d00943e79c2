package dev.twinbuild.operator.reconciler;

import dev.twinbuild.check.CheckRequest;
import dev.twinbuild.check.CheckSummary;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.CheckStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.CheckPods;
import dev.twinbuild.operator.pods.PodView;
import dev.twinbuild.store.StoreException;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * The life of a generation's check pod, from its recorded {@link CheckStatus} and the pod (if any): create
 * it with its request, wait, read its small summary. A final status is never revisited, so a restarted
 * operator does not repeat a finished check; a pod of the check's name that the operator did not record
 * does not count. A store that cannot be reached is retried with the builds' backoff, up to their bound.
 */
final class CheckRun {
    static final String CHECK_LOST = "CheckPodLost";
    static final String CHECK_CRASHED = "CheckCrashed";

    /**
     * @param summary the pod's report, once this pass finished the check (else null)
     * @param stall   set while the check pod cannot start without a person (its image cannot be pulled, …)
     */
    record Result(CheckStatus status, CheckSummary summary, Instant wakeAt, PodFailures.Stall stall) {
        Result(CheckStatus status, CheckSummary summary, Instant wakeAt) {
            this(status, summary, wakeAt, null);
        }
    }

    private final OperatorSettings settings;
    private final Children children;
    private final Instant now;

    CheckRun(OperatorSettings settings, Children children, Instant now) {
        this.settings = settings;
        this.children = children;
        this.now = now;
    }

    /**
     * @param pod     the pod named {@code previous.pod}, or null
     * @param create  makes the pod (without UID check) and its request; called only when one is needed
     */
    Result advance(CheckStatus previous, Pod pod, Creator create) {
        CheckStatus c = Serialization.unmarshal(Serialization.asJson(previous), CheckStatus.class);
        if (c.isFinal()) {
            return new Result(c, null, null);
        }
        if (pod == null) {
            if (c.retryAfter != null && now.isBefore(Instant.parse(c.retryAfter))) {
                return new Result(c, null, Instant.parse(c.retryAfter));
            }
            if (c.attemptsOrZero() > 0 && c.retryAfter == null) {
                return retryOrFail(c, CHECK_LOST, "check pod " + c.pod + " disappeared before it finished", false);
            }
            return start(c, create);
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            return new Result(c, null, now.plus(settings.lostPodGrace()));
        }
        if (c.podUid == null || !c.podUid.equals(pod.getMetadata().getUid())) {
            // Not the pod we recorded (our status write was lost, or someone else made it): it does not count.
            children.deletePod(pod.getMetadata().getName());
            c.retryAfter = null;
            c.attempts = 0;
            c.podUid = null;
            return new Result(c, null, now.plus(settings.backoffAfter(1)));
        }
        String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending"
                : pod.getStatus().getPhase();
        return switch (phase) {
            case "Succeeded", "Failed" -> finished(c, pod);
            case "Running" -> {
                c.phase = BuildPhase.Running;
                yield new Result(c, null, null);
            }
            default -> pending(c, pod);
        };
    }

    /** Builder pods' rule for containers that cannot start: Stalled at once, final if no retry can cure it. */
    private Result pending(CheckStatus c, Pod pod) {
        String subject = "the " + (CheckStatus.DIAGNOSIS.equals(c.purpose) ? "diagnosis" : "read-back") + " check";
        PodFailures.Stall stall = PodFailures.waiting(subject, pod.getMetadata().getName(),
                pod.getSpec() == null ? null : pod.getSpec().getNodeName(), PodView.waiting(pod, CheckPods.CONTAINER));
        if (stall == null) {
            return new Result(c, null, null);
        }
        if (PodFailures.PERMANENT.contains(stall.reason())) {
            children.deletePod(pod.getMetadata().getName());
            return fail(c, stall.reason(), stall.message());
        }
        return new Result(c, null, null, stall);
    }

    /** Makes the check's request and pod: the pod first (it owns the request Secret). */
    interface Creator {
        /** @return the created pod, or null when one of that name exists already */
        Pod createPod(int attempt);

        CheckRequest request();
    }

    private Result start(CheckStatus c, Creator create) {
        CheckRequest request;
        try {
            request = create.request();
        } catch (StoreException e) {
            return e.isTransient() ? retryOrFail(c, e.reason(), "cannot issue the check's grants: " + e.getMessage(), false)
                    : fail(c, e.reason(), "cannot issue the check's grants: " + e.getMessage());
        }
        int attempt = c.attemptsOrZero() + 1;
        Pod created = create.createPod(attempt);
        if (created == null) {
            return new Result(c, null, now.plus(settings.backoffAfter(1))); // someone's pod: looked at next pass
        }
        try {
            children.createCheckRequest(created, request);
        } catch (KubernetesClientException e) {
            children.deletePod(created.getMetadata().getName());
            return retryOrFail(c, StoreException.UNREACHABLE, "cannot create the check's request Secret: "
                    + e.getMessage(), false);
        }
        c.attempts = attempt;
        c.podUid = created.getMetadata().getUid();
        c.retryAfter = null;
        c.phase = BuildPhase.Pending;
        return new Result(c, null, null);
    }

    private Result finished(CheckStatus c, Pod pod) {
        ContainerStateTerminated t = pod.getStatus().getContainerStatuses() == null ? null
                : pod.getStatus().getContainerStatuses().stream()
                .filter(s -> CheckPods.CONTAINER.equals(s.getName()) && s.getState() != null)
                .map(s -> s.getState().getTerminated()).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        CheckSummary summary = CheckSummary.parse(t == null ? null : t.getMessage());
        if (summary == null) {
            String why = "DeadlineExceeded".equals(pod.getStatus().getReason())
                    ? "the check exceeded verification.timeoutSeconds"
                    : "the check pod ended (" + (t == null ? pod.getStatus().getReason() : t.getReason())
                    + ") without a summary: " + excerpt(t == null ? pod.getStatus().getMessage() : t.getMessage());
            boolean retry = t != null && !"OOMKilled".equals(t.getReason()) && !"DeadlineExceeded".equals(pod.getStatus().getReason());
            return retry ? retryOrFail(c, CHECK_CRASHED, why, true) : fail(c, CHECK_CRASHED, why);
        }
        c.verified = summary.verified();
        if (!summary.succeeded()) {
            if (StoreException.UNREACHABLE.equals(summary.failure().reason())) {
                return retryOrFail(c, summary.failure().reason(), summary.failure().message(), true);
            }
            Result r = fail(c, summary.failure().reason(), summary.failure().message());
            return new Result(r.status(), summary, null);
        }
        c.phase = BuildPhase.Succeeded;
        c.retryAfter = null;
        c.message = summary.note() == null ? null : BuildTracker.bounded(summary.note(), 4000);
        return new Result(c, summary, null);
    }

    private Result retryOrFail(CheckStatus c, String reason, String message, boolean deletePod) {
        if (c.attemptsOrZero() >= settings.maxAttempts()) {
            if (deletePod) {
                children.deletePod(c.pod);
            }
            return fail(c, reason, message + " (gave up after " + c.attemptsOrZero() + " attempts)");
        }
        if (deletePod) {
            children.deletePod(c.pod);
        }
        Instant at = now.plus(settings.backoffAfter(Math.max(1, c.attemptsOrZero())));
        c.phase = BuildPhase.Pending;
        c.retryAfter = at.toString();
        c.message = BuildTracker.bounded(reason + ": " + message, 4000);
        return new Result(c, null, at);
    }

    private static Result fail(CheckStatus c, String reason, String message) {
        c.phase = BuildPhase.Failed;
        c.retryAfter = null;
        c.message = BuildTracker.bounded(reason + ": " + message, 4000);
        return new Result(c, CheckSummary.failed(c.verified == null ? 0 : c.verified, reason, message), null);
    }

    private static String excerpt(String s) {
        if (s == null || s.isBlank()) {
            return "(empty)";
        }
        String t = s.strip();
        return t.length() > 300 ? "…" + t.substring(t.length() - 300) : t;
    }
}
