package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.BuildOutput;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.PodView;
import dev.twinbuild.operator.reconciler.BuildTracker.Action;
import dev.twinbuild.operator.reconciler.BuildTracker.Step;
import dev.twinbuild.operator.reconciler.BuildTracker.StoredSummaries;
import dev.twinbuild.operator.store.BuildLayout;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.store.StoreException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * What the pod of a build that ended says, from its termination message (the builder's summary) and the
 * kubelet's reasons: the build's outputs, each checked against the location the operator assigned, or why
 * it failed and whether that is worth another attempt.
 */
public final class BuildExit {
    private final OperatorSettings settings;
    private final Duration timeout;
    private final StoredSummaries summaries;
    private final BuildRetries retries;

    BuildExit(OperatorSettings settings, Duration timeout, StoredSummaries summaries, BuildRetries retries) {
        this.settings = settings;
        this.timeout = timeout;
        this.summaries = summaries;
        this.retries = retries;
    }

    /** The pod Succeeded: its summary (from the store when too large for the message) names the outputs. */
    Step succeeded(BuildStatus b, PodView pod, BuildLayout layout, Instant now) {
        String message = pod.terminated() == null ? null : pod.terminated().message();
        BuildSummary summary = BuildSummary.parse(message);
        if (summary != null && summary.failure() != null && BuildSummary.TRUNCATED.equals(summary.failure().reason())) {
            try {
                summary = summaries.read(layout);
            } catch (StoreException e) {
                if (e.isTransient()) {
                    return new Step(b, Action.NONE, now.plus(settings.backoffAfter(2)), null);
                }
                return BuildRetries.fail(b, BuildTracker.INVALID_SUMMARY, "the summary did not fit the termination "
                        + "message, and the stored one cannot be used: " + e.getMessage(), Action.NONE,
                        finished(pod, now));
            }
        }
        if (summary == null || !summary.succeeded() || summary.outputs() == null || summary.outputs().isEmpty()) {
            String why = summary != null && summary.failure() != null ? summary.failure().message()
                    : "no valid summary in the termination message: " + excerpt(message);
            return BuildRetries.fail(b, summary != null && summary.failure() != null ? summary.failure().reason()
                    : BuildTracker.INVALID_SUMMARY, why, Action.NONE, finished(pod, now));
        }
        String wrong = wrongLocations(summary, layout);
        if (wrong != null) {
            return BuildRetries.fail(b, BuildTracker.UNEXPECTED_LOCATION, wrong, Action.NONE, finished(pod, now));
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
        Set<String> seen = new HashSet<>();
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

    /** The pod Failed: the builder's own reason if it wrote a summary, else the kubelet's. */
    Step failed(BuildStatus b, PodView pod, Instant now) {
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
            reason = BuildTracker.TIMEOUT;
            text = "build exceeded verification.timeoutSeconds (" + timeout.toSeconds() + "s)";
        } else if ("Evicted".equals(pod.podReason())) {
            reason = "Evicted";
            text = String.valueOf(pod.podMessage());
        } else if (pod.terminated() != null && "OOMKilled".equals(pod.terminated().reason())) {
            reason = "OOMKilled";
            text = "the builder ran out of memory; raise twinbuild.builder.memory-limit";
        } else {
            reason = BuildTracker.CRASHED;
            text = "builder exited " + (pod.terminated() == null ? "?" : pod.terminated().exitCode())
                    + " without a summary: " + excerpt(message);
        }
        if (BuildRetries.retryable(reason)) {
            return retries.retryOrFail(b, reason, text, Action.DELETE, now);
        }
        return BuildRetries.fail(b, reason, text, Action.NONE, finished(pod, now));
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
