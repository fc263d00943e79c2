package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.api.v1alpha1.VerificationRecord;
import dev.twinbuild.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What re-verification does to a SystemImage's conditions. A round has its own condition {@value #VERIFYING}
 * and leaves Ready/Reconciling alone while it runs or when it passes (GitOps stays green); a regression turns
 * Reproducible, Ready and Stalled into kstatus "Failed" with reason {@value #REGRESSION}, and a later round
 * that matches the recorded digests again restores them. Other conditions are never touched.
 */
final class RoundConditions {
    static final String VERIFYING = "Verifying";
    static final String REGRESSION = "RegressionOnReverify";
    private static final List<String> VERDICT = List.of(Conditions.READY, Conditions.RECONCILING,
            Conditions.STALLED, Conditions.REPRODUCIBLE);

    private RoundConditions() {
    }

    /** Sets {@value #VERIFYING} in {@code next} (its transition time kept from {@code previous} if unchanged). */
    static void verifying(SystemImageStatus next, SystemImageStatus previous, boolean running, String reason,
                          String message, Instant now) {
        List<Condition> c = conditions(previous, next, now).set(VERIFYING, running, reason,
                RoundRecords.cut(message, 1024)).build();
        next.conditions = merge(next.conditions, c);
    }

    /** A finished round's record, in {@code next}'s phase and conditions. */
    static void finished(SystemImageStatus next, SystemImageStatus previous, VerificationRecord r, Instant now) {
        Conditions c = conditions(previous, next, now);
        switch (r.result) {
            case VerificationRecord.FAILED -> {
                verifying(next, previous, false, "Failed", r.message, now);
                return;
            }
            case VerificationRecord.REGRESSION -> {
                next.phase = Phase.Unreproducible;
                c.set(Conditions.READY, false, REGRESSION, r.message)
                        .set(Conditions.RECONCILING, false, REGRESSION, r.message)
                        .set(Conditions.STALLED, true, REGRESSION, r.message)
                        .set(Conditions.REPRODUCIBLE, false, REGRESSION, r.message)
                        .set(VERIFYING, false, REGRESSION, r.message);
            }
            default -> {
                if (regressed(previous)) {
                    next.phase = Phase.Reproducible;
                    c.set(Conditions.READY, true, "Reverified", r.message)
                            .set(Conditions.RECONCILING, false, "Reverified", r.message)
                            .set(Conditions.STALLED, false, "Reverified", r.message)
                            .set(Conditions.REPRODUCIBLE, true, "Reverified", r.message);
                }
                c.set(VERIFYING, false, VerificationRecord.PASSED, r.message);
            }
        }
        next.conditions = merge(previous.conditions, c.build());
    }

    /**
     * After a pass of the normal path on the same spec: {@value #VERIFYING} stays, and so does a regression
     * (phase and verdict conditions) over a Reproducible the normal path composed again.
     */
    static void carryOver(SystemImageStatus next, SystemImageStatus sameSpec) {
        List<String> keep = new ArrayList<>(List.of(VERIFYING));
        if (regressed(sameSpec) && next.phase == Phase.Reproducible) {
            next.phase = Phase.Unreproducible;
            keep.addAll(VERDICT);
        }
        next.conditions = merge(next.conditions, sameSpec.conditions.stream()
                .filter(c -> keep.contains(c.getType())).toList());
    }

    /** The last round found a regression that no later round has cleared. */
    static boolean regressed(SystemImageStatus s) {
        return REGRESSION.equals(Conditions.reason(s.conditions, Conditions.REPRODUCIBLE));
    }

    private static Conditions conditions(SystemImageStatus previous, SystemImageStatus next, Instant now) {
        return new Conditions(previous.conditions, next.observedGeneration == null ? 0 : next.observedGeneration, now);
    }

    /** {@code base} with the conditions of {@code replace} put in place of those of the same type. */
    private static List<Condition> merge(List<Condition> base, List<Condition> replace) {
        List<Condition> out = new ArrayList<>(base);
        out.removeIf(c -> replace.stream().anyMatch(r -> r.getType().equals(c.getType())));
        out.addAll(replace);
        out.sort(Comparator.comparing(Condition::getType));
        return out;
    }
}
