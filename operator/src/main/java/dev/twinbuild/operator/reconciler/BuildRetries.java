package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.BuildFailure;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.reconciler.BuildTracker.Action;
import dev.twinbuild.operator.reconciler.BuildTracker.Step;
import dev.twinbuild.pipeline.fetch.InputUnreachableException;
import dev.twinbuild.store.StoreException;

import java.time.Instant;
import java.util.Set;

/**
 * How a failed build ends: failures that may not recur (lost pod, eviction, store down, a crash without a
 * summary) are retried with doubling backoff up to the operator's maxAttempts; the others are final at once.
 * Reasons and messages come from builder pods: they are bounded to the CRD's lengths.
 */
final class BuildRetries {
    /** InputUnreachable: a layer's server kept failing (network, 429, 5xx) through the builder's own retries. */
    private static final Set<String> RETRYABLE = Set.of(StoreException.UNREACHABLE, BuildTracker.POD_LOST,
            "Evicted", BuildTracker.CRASHED, InputUnreachableException.REASON);

    private final OperatorSettings settings;

    BuildRetries(OperatorSettings settings) {
        this.settings = settings;
    }

    /** Whether a failure of this reason may not recur: worth another attempt. */
    static boolean retryable(String reason) {
        return RETRYABLE.contains(reason);
    }

    /** Another attempt after a backoff, or the build's end when it had its last one. */
    Step retryOrFail(BuildStatus b, String reason, String message, Action action, Instant now) {
        int attempts = b.attemptsOrZero();
        if (attempts >= settings.maxAttempts()) {
            return fail(b, reason, message + " (gave up after " + attempts + " attempts)", action, now);
        }
        Instant retryAt = now.plus(settings.backoffAfter(attempts));
        b.phase = BuildPhase.Pending;
        b.retryAfter = retryAt.toString();
        b.failure = new BuildFailure(BuildTracker.bounded(reason, 128), BuildTracker.bounded(message, 3800)
                + " (attempt " + attempts + " of " + settings.maxAttempts() + "; retrying after " + retryAt + ")");
        return new Step(b, action, retryAt, null);
    }

    /** The build's end: Failed at {@code at}. */
    static Step fail(BuildStatus b, String reason, String message, Action action, Instant at) {
        b.phase = BuildPhase.Failed;
        b.retryAfter = null;
        b.failure = new BuildFailure(BuildTracker.bounded(reason, 128), BuildTracker.bounded(message, 4000));
        b.completionTime = at.toString();
        return new Step(b, action, null, null);
    }
}
