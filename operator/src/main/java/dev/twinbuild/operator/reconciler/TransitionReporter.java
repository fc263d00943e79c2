package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.events.EventRecorder;
import dev.twinbuild.operator.metrics.BuildMetrics;
import dev.twinbuild.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** Events and metrics for what changed between the recorded status and the next one. */
final class TransitionReporter {
    private final EventRecorder events;
    private final BuildMetrics metrics;

    TransitionReporter(EventRecorder events, BuildMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
    }

    void started(SystemImage si, BuildStatus b) {
        metrics.buildStarted();
        events.emit(si, EventRecorder.NORMAL, "BuildStarted",
                b.name + " started as pod " + b.pod + " (attempt " + b.attempts + ")");
    }

    void report(SystemImage si, SystemImageStatus previous, SystemImageStatus next, Instant now) {
        boolean sameSpec = previous != null && Objects.equals(previous.specHash, next.specHash);
        List<BuildStatus> before = sameSpec ? previous.builds : List.of();
        Instant lastDone = null;
        for (BuildStatus b : next.builds) {
            BuildStatus old = before.stream().filter(o -> Objects.equals(o.name, b.name)).findFirst().orElse(null);
            if (b.phaseOrPending() == BuildPhase.Succeeded && b.completionTime != null) {
                Instant done = Instant.parse(b.completionTime);
                lastDone = lastDone == null || done.isAfter(lastDone) ? done : lastDone;
            }
            boolean finished = b.phaseOrPending().isFinal() && (old == null || !old.phaseOrPending().isFinal());
            boolean retryScheduled = b.retryAfter != null && (old == null || !b.retryAfter.equals(old.retryAfter));
            if (finished || retryScheduled) {
                build(si, b);
            }
        }
        if ((!sameSpec || previous.phase != next.phase) && next.phase.isFinal()) {
            // A failure is reported under its own reason (InvalidSpec, BuilderImageNotAllowed, ...).
            String reason = next.phase == Phase.Failed ? stalledReason(next.conditions) : null;
            events.emit(si, next.phase == Phase.Reproducible ? EventRecorder.NORMAL : EventRecorder.WARNING,
                    reason != null ? reason : next.phase.name(), message(next.conditions, next.phase == Phase.Reproducible
                            ? Conditions.READY : Conditions.STALLED));
            metrics.verdict(next.phase, lastDone == null ? null : Duration.between(lastDone, now));
        }
        String stalled = stalledReason(next.conditions);
        if (stalled != null && !next.phase.isFinal()
                && !stalled.equals(previous == null ? null : stalledReason(previous.conditions))) {
            events.emit(si, EventRecorder.WARNING, stalled, message(next.conditions, Conditions.STALLED));
        }
    }

    private void build(SystemImage si, BuildStatus b) {
        Duration ran = b.startTime == null || b.completionTime == null ? null
                : Duration.between(Instant.parse(b.startTime), Instant.parse(b.completionTime));
        switch (b.phaseOrPending()) {
            case Succeeded -> {
                metrics.buildFinished("succeeded", ran);
                events.emit(si, EventRecorder.NORMAL, "BuildSucceeded", b.name + " finished on node " + b.node);
            }
            case Failed -> {
                metrics.buildFinished(BuildTracker.TIMEOUT.equals(b.failure.reason) ? "timeout"
                        : BuildTracker.CANCELLED.equals(b.failure.reason) ? "cancelled" : "failed", ran);
                events.emit(si, EventRecorder.WARNING, "BuildFailed",
                        b.name + ": " + b.failure.reason + ": " + b.failure.message);
            }
            default -> events.emit(si, EventRecorder.WARNING, "BuildRetrying",
                    b.name + ": " + b.failure.reason + ": " + b.failure.message);
        }
    }

    private static String stalledReason(List<Condition> conditions) {
        return "True".equals(Conditions.status(conditions, Conditions.STALLED))
                ? Conditions.reason(conditions, Conditions.STALLED) : null;
    }

    private static String message(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> type.equals(c.getType())).map(Condition::getMessage)
                .findFirst().orElse("");
    }
}
