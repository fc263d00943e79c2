package dev.twinbuild.operator.status;

import dev.twinbuild.operator.api.v1alpha1.Artifact;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import static dev.twinbuild.operator.status.Conditions.READY;
import static dev.twinbuild.operator.status.Conditions.RECONCILING;
import static dev.twinbuild.operator.status.Conditions.REPRODUCIBLE;
import static dev.twinbuild.operator.status.Conditions.STALLED;

/**
 * Turns the builds of a generation (and the verdict, once there is one) into phase and conditions,
 * following kstatus: Reconciling while work is under way, Stalled when it cannot go on without help,
 * Ready only for a reproducible image.
 */
public final class StatusComposer {
    public static final String INSUFFICIENT_NODES = "InsufficientNodes";
    public static final String QUEUED = "Queued";

    private final SystemImageStatus previous;
    private final long generation;
    private final Instant now;

    public StatusComposer(SystemImageStatus previous, long generation, Instant now) {
        this.previous = previous;
        this.generation = generation;
        this.now = now;
    }

    private SystemImageStatus start(String specHash, List<BuildStatus> builds) {
        SystemImageStatus s = new SystemImageStatus();
        s.observedGeneration = generation;
        s.specHash = specHash;
        s.builds = builds;
        String nodes = builds.stream().map(b -> b.node).filter(Objects::nonNull).distinct()
                .collect(Collectors.joining(","));
        s.nodes = nodes.isEmpty() ? null : nodes;
        return s;
    }

    private Conditions conditions() {
        return new Conditions(previous == null ? null : previous.conditions, generation, now);
    }

    /** Builds under way; {@code stall} (reason, message) when they cannot progress by themselves. */
    public SystemImageStatus inProgress(String specHash, List<BuildStatus> builds, String stallReason,
                                        String stallMessage) {
        SystemImageStatus s = start(specHash, builds);
        boolean anyStarted = builds.stream().anyMatch(b -> b.phaseOrPending() != BuildPhase.Pending);
        s.phase = anyStarted ? Phase.Building : Phase.Pending;
        long done = builds.stream().filter(b -> b.phaseOrPending() == BuildPhase.Succeeded).count();
        String progress = done + " of " + builds.size() + " builds finished";
        Conditions c = conditions()
                .set(READY, false, s.phase.name(), progress)
                .set(REPRODUCIBLE, "Unknown", s.phase.name(), "waiting for all builds to finish");
        if (stallReason != null) {
            // kstatus reads Reconciling before Stalled: both True would read as InProgress, never Failed.
            c.set(RECONCILING, false, stallReason, stallMessage);
            c.set(STALLED, true, stallReason, stallMessage);
        } else {
            c.set(RECONCILING, true, s.phase.name(), progress);
            c.set(STALLED, false, "Progressing", progress);
        }
        s.conditions = c.build();
        return s;
    }

    /** Waiting for a slot under the operator's limits on concurrent builds; no pod runs for it yet. */
    public SystemImageStatus queued(String specHash, int position, String message) {
        SystemImageStatus s = start(specHash, new java.util.ArrayList<>());
        s.phase = Phase.Pending;
        s.queuePosition = position;
        // Progressing (kstatus InProgress), not stalled: it starts by itself when a slot frees.
        s.conditions = conditions()
                .set(READY, false, QUEUED, message)
                .set(RECONCILING, true, QUEUED, message)
                .set(STALLED, false, QUEUED, message)
                .set(REPRODUCIBLE, "Unknown", QUEUED, "waiting for a build slot")
                .build();
        return s;
    }

    public SystemImageStatus failed(String specHash, List<BuildStatus> builds, String reason, String message) {
        SystemImageStatus s = start(specHash, builds);
        s.phase = Phase.Failed;
        s.conditions = conditions()
                .set(READY, false, reason, message)
                .set(RECONCILING, false, Phase.Failed.name(), message)
                .set(STALLED, true, reason, message)
                .set(REPRODUCIBLE, "Unknown", reason, "no verdict: " + message)
                .build();
        return s;
    }

    public SystemImageStatus verdict(String specHash, List<BuildStatus> builds, Verdict verdict) {
        SystemImageStatus s = start(specHash, builds);
        s.artifacts = verdict.artifacts();
        String nodes = builds.stream().map(b -> b.node).filter(Objects::nonNull).distinct()
                .collect(Collectors.joining(", "));
        if (verdict.reproducible()) {
            s.phase = Phase.Reproducible;
            s.digest = verdict.artifacts().isEmpty() ? null : shortDigest(verdict.artifacts().get(0));
            String msg = builds.size() + " builds on nodes " + nodes + " produced identical outputs";
            s.conditions = conditions()
                    .set(READY, true, Phase.Reproducible.name(), msg)
                    .set(RECONCILING, false, Phase.Reproducible.name(), msg)
                    .set(STALLED, false, Phase.Reproducible.name(), msg)
                    .set(REPRODUCIBLE, true, "OutputsIdentical", msg)
                    .build();
        } else {
            s.phase = Phase.Unreproducible;
            s.mismatch = verdict.mismatch();
            String msg = "outputs differ between builds on nodes " + nodes + ": " + verdict.describeMismatch();
            s.conditions = conditions()
                    .set(READY, false, Phase.Unreproducible.name(), msg)
                    .set(RECONCILING, false, Phase.Unreproducible.name(), msg)
                    .set(STALLED, true, Phase.Unreproducible.name(), msg)
                    .set(REPRODUCIBLE, false, "OutputsDiffer", msg)
                    .build();
        }
        return s;
    }

    private static String shortDigest(Artifact a) {
        return a.sha256 == null ? null : "sha256:" + a.sha256.substring(0, Math.min(12, a.sha256.length()));
    }
}
