package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.Artifact;
import dev.twinbuild.operator.api.v1alpha1.BuildOutput;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.ReverificationRound;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.api.v1alpha1.VerificationRecord;
import dev.twinbuild.operator.status.Conditions;
import dev.twinbuild.operator.status.Verdict;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The record of a finished re-verification round ({@code status.verifications}): its result against the
 * recorded digests and between its own builds, the nodes, a bounded list of digests and changes, and the
 * message people read. Pure: what the round's outcome means for the conditions is {@link RoundConditions}'.
 */
final class RoundRecords {
    /** Records kept in the status, the latest last. */
    static final int HISTORY = 10;
    /** Digests and changes listed in one record. */
    private static final int LISTED = 32;

    private RoundRecords() {
    }

    /**
     * @param round    the round, with its builds done
     * @param outcome  the status its builds came to (Failed, or a verdict of their own)
     * @param recorded the verdict's artifacts, which the round checks again
     */
    static VerificationRecord of(ReverificationRound round, SystemImageStatus outcome, List<Artifact> recorded,
                                 Instant now) {
        VerificationRecord r = new VerificationRecord();
        r.round = round.round;
        r.trigger = round.trigger;
        r.startedAt = round.startedAt;
        r.finishedAt = now.toString();
        String nodes = outcome.builds.stream().map(b -> b.node).filter(Objects::nonNull).distinct()
                .collect(Collectors.joining(","));
        r.nodes = nodes.isEmpty() ? null : nodes;
        String prefix = "round " + round.round + " (" + round.trigger + ")";
        if (outcome.phase == Phase.Failed) {
            r.result = VerificationRecord.FAILED;
            r.message = cut(prefix + " failed: " + Conditions.reason(outcome.conditions, Conditions.STALLED) + ": "
                    + message(outcome, Conditions.STALLED), 1024);
            return r;
        }
        Verdict verdict = Verdict.of(outcome.builds);
        verdict.artifacts().stream().limit(LISTED).forEach(a -> r.digests.add(cut(a.file + " sha256:"
                + shortSha(a.sha256) + (verdict.reproducible() ? "" : " (" + a.build + ")"), 1024)));
        r.changes.addAll(changes(recorded, outcome.builds));
        if (r.changes.isEmpty() && verdict.reproducible()) {
            r.result = VerificationRecord.PASSED;
            r.message = cut(prefix + ": " + outcome.builds.size() + " builds on nodes " + nodes
                    + " reproduced the recorded digests", 1024);
            return r;
        }
        r.result = VerificationRecord.REGRESSION;
        String what = r.changes.stream().limit(4).map(ch -> ch.file + " (" + ch.build + ") recorded "
                + shortSha(ch.recorded) + " now " + shortSha(ch.found)).collect(Collectors.joining("; "));
        r.message = cut(prefix + " on nodes " + nodes + ": " + (r.changes.isEmpty() ? "" : "digests changed: "
                + what + (r.changes.size() > 4 ? " (" + r.changes.size() + " in all)" : ""))
                + (verdict.reproducible() ? "" : (r.changes.isEmpty() ? "" : "; ") + "builds differ: "
                + verdict.describeMismatch()), 1024);
        return r;
    }

    /** The history with {@code r} added, at most {@link #HISTORY} long. */
    static List<VerificationRecord> appended(List<VerificationRecord> history, VerificationRecord r) {
        List<VerificationRecord> all = new ArrayList<>(history);
        all.add(r);
        return new ArrayList<>(all.subList(Math.max(0, all.size() - HISTORY), all.size()));
    }

    /** Each build's outputs against the recorded digests: changed, new, or gone. */
    private static List<VerificationRecord.DigestChange> changes(List<Artifact> recorded, List<BuildStatus> builds) {
        Map<String, String> was = new TreeMap<>();
        recorded.forEach(a -> was.putIfAbsent(a.format + "\u0000" + a.file, a.sha256));
        List<VerificationRecord.DigestChange> out = new ArrayList<>();
        for (BuildStatus b : builds) {
            Map<String, String> now = new TreeMap<>();
            b.outputs.forEach(o -> now.put(o.format + "\u0000" + o.file, o.sha256));
            for (BuildOutput o : b.outputs) {
                String old = was.get(o.format + "\u0000" + o.file);
                if (!Objects.equals(old, o.sha256)) {
                    out.add(new VerificationRecord.DigestChange(o.file, b.name, old, o.sha256));
                }
            }
            was.forEach((k, sha) -> {
                if (!now.containsKey(k)) {
                    out.add(new VerificationRecord.DigestChange(k.substring(k.indexOf('\u0000') + 1), b.name, sha, null));
                }
            });
        }
        return out.stream().limit(LISTED).toList();
    }

    private static String message(SystemImageStatus s, String type) {
        return s.conditions.stream().filter(c -> type.equals(c.getType())).map(c -> c.getMessage())
                .findFirst().orElse("");
    }

    private static String shortSha(String sha) {
        return sha == null ? "(none)" : sha.substring(0, Math.min(12, sha.length()));
    }

    static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
