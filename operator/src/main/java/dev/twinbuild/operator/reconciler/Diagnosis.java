package dev.twinbuild.operator.reconciler;

import dev.twinbuild.check.CheckRequest;
import dev.twinbuild.check.CheckSummary;
import dev.twinbuild.operator.api.v1alpha1.Mismatch;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.status.Conditions;

import java.util.TreeMap;

/** What a finished diagnosis adds to the mismatch of an Unreproducible status: bounded, with counts. */
final class Diagnosis {
    /** Paths in the status; the reports in the store hold all of them. */
    static final int MAX_PATHS = 50;
    static final String READ_BACK_FAILED = "ReadBackFailed";

    private Diagnosis() {
    }

    /**
     * The verdict stands (Unreproducible, Stalled); the Stalled condition names why its diagnosis cannot
     * start, so a person sees the pull error rather than a diagnosis that never comes.
     */
    static void stalled(SystemImageStatus s, PodFailures.Stall stall) {
        s.conditions.stream().filter(c -> Conditions.STALLED.equals(c.getType())).forEach(c -> {
            c.setReason(stall.reason());
            c.setMessage(BuildTracker.bounded(stall.message() + ". Verdict: " + c.getMessage(), 8192));
        });
    }

    static void apply(Mismatch mismatch, CheckSummary summary) {
        if (mismatch == null) {
            return;
        }
        // Entry names come from tenant archives: bounded like every status string (CRD maxLength 4096).
        mismatch.differingPaths = summary.differingPaths().stream().limit(MAX_PATHS)
                .map(p -> BuildTracker.bounded(p, 4096)).toList();
        int total = summary.differingPathCount() != null ? summary.differingPathCount() : summary.differingPaths().size();
        mismatch.differingPathCount = total > mismatch.differingPaths.size() ? total : null;
        mismatch.reports = new TreeMap<>();
        summary.reports().entrySet().stream().limit(140)
                .forEach(e -> mismatch.reports.put(BuildTracker.bounded(e.getKey(), 300), BuildTracker.bounded(e.getValue(), 2048)));
        mismatch.reportLocation = mismatch.reports.get(CheckRequest.REPORT_TEXT);
    }
}
