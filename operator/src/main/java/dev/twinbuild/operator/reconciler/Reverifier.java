package dev.twinbuild.operator.reconciler;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.operator.admission.Admission;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.ReverificationRound;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.api.v1alpha1.VerificationRecord;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.config.ReverifySettings;
import dev.twinbuild.operator.events.EventRecorder;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.status.Conditions;
import dev.twinbuild.operator.status.StatusComposer;
import dev.twinbuild.operator.store.ArtifactVerifier;
import dev.twinbuild.operator.store.CheckIssuer;
import dev.twinbuild.operator.store.GrantIssuer;
import dev.twinbuild.verify.VerificationSchedule;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Re-verification of a standing verdict: on spec.verification's interval or schedule, or when the
 * annotation {@value #ANNOTATION} changes, the builds run again (same variations, other nodes where
 * possible) and their digests are compared with the recorded ones and with each other. This class runs the
 * rounds (when, how many at once, their pods); {@link RoundRecords} writes what a round found and
 * {@link RoundConditions} what that means for the conditions (a regression fails the verdict).
 */
final class Reverifier {
    static final String ANNOTATION = "twinbuild.dev/reverify-requested-at";
    static final Duration WAIT_RETRY = Duration.ofSeconds(30);

    /** @param status to write (null: nothing changed); @param wakeAt when to look again (null: never) */
    record Pass(SystemImageStatus status, Instant wakeAt) {
    }

    private final ReverifySettings limits;
    private final OperatorSettings settings;
    private final Admission admission;
    private final ArtifactVerifier verifier;
    private final CheckIssuer checks;
    private final GrantIssuer grants;
    private final EventRecorder events;
    /** Rounds this process started, by namespace/name, with when (see {@link #reserveRound}). */
    private final Map<String, Instant> reserved = new java.util.concurrent.ConcurrentHashMap<>();

    Reverifier(ReverifySettings limits, OperatorSettings settings, Admission admission, ArtifactVerifier verifier,
               CheckIssuer checks, GrantIssuer grants, EventRecorder events) {
        this.limits = limits;
        this.settings = settings;
        this.admission = admission;
        this.verifier = verifier;
        this.checks = checks;
        this.grants = grants;
        this.events = events;
    }

    /** The verdict on this spec stands: start, advance or schedule its re-verification. */
    Pass pass(SystemImage si, SystemImageStatus previous, String hash, ArtifactStore store, Collection<Pod> pods,
              KubernetesClient client, Supplier<Stream<SystemImage>> all, Instant now) {
        SystemImageStatus next = copy(previous);
        ReverificationRound last = next.reverification;
        if (last == null || !last.running()) {
            String requested = requested(si, previous);
            VerificationSchedule schedule = schedule(si);
            Instant due = schedule == null ? null : schedule.next(reference(previous), uid(si), limits.maxJitter());
            next.nextVerificationTime = due == null ? null : due.toString();
            boolean eligible = eligible(previous);
            if (requested != null && !eligible) {
                next.lastHandledReverifyAt = requested;
                RoundConditions.verifying(next, previous, false, "NotVerified", "no reproducible verdict to check again", now);
                return changed(previous, next, null);
            }
            if (requested == null && (!eligible || due == null || now.isBefore(due))) {
                return changed(previous, next, eligible ? due : null);
            }
            String trigger = requested != null ? "Annotation" : schedule.kind().name();
            int running = reserveRound(si, all, now);
            if (running >= 0) {
                RoundConditions.verifying(next, previous, false, "Waiting", running + " re-verifications run, the most at once"
                        + " (twinbuild.verification.max-concurrent=" + limits.maxConcurrent() + ")", now);
                return changed(previous, next, now.plus(WAIT_RETRY));
            }
            Admission.Ticket ticket = admission.admit(si, false);
            if (!ticket.admitted()) {
                reserved.remove(key(si));
                RoundConditions.verifying(next, previous, false, StatusComposer.QUEUED, "waiting for a build slot ("
                        + ticket.building() + " SystemImages build, queue.maxBuilding="
                        + admission.limits().maxBuilding() + ")", now);
                return changed(previous, next, now.plus(WAIT_RETRY));
            }
            ReverificationRound round = new ReverificationRound();
            round.round = last == null ? 1 : last.round + 1;
            round.trigger = trigger;
            round.startedAt = now.toString();
            // Each build prefers another node than its index used in the round before (the first round's).
            (last == null ? next.builds : last.builds).stream().filter(b -> b.node != null && b.index != null)
                    .forEach(b -> round.previousNodes.put(b.index.toString(), b.node));
            next.reverification = round;
            next.lastVerificationTime = now.toString();
            if (requested != null) {
                next.lastHandledReverifyAt = requested;
            }
            Instant after = schedule == null ? null : schedule.next(now, uid(si), limits.maxJitter());
            next.nextVerificationTime = after == null ? null : after.toString();
            RoundConditions.verifying(next, previous, true, requested != null ? "Requested" : "Scheduled",
                    "round " + round.round + " (" + trigger + ") started", now);
            events.emit(si, EventRecorder.NORMAL, "ReverifyStarted", "re-verification round " + round.round
                    + " (" + trigger + ")");
            deleteOlderRounds(client, si, hash, Names.roundHash(hash, round.round));
        }
        return advance(si, previous, next, hash, store, pods, client, now);
    }

    private Pass advance(SystemImage si, SystemImageStatus previous, SystemImageStatus next, String hash,
                         ArtifactStore store, Collection<Pod> pods, KubernetesClient client, Instant now) {
        ReverificationRound round = next.reverification;
        String roundHash = Names.roundHash(hash, round.round);
        long generation = si.getMetadata().getGeneration() == null ? 0 : si.getMetadata().getGeneration();
        Map<Integer, String> avoid = new TreeMap<>();
        round.previousNodes.forEach((i, n) -> avoid.put(Integer.valueOf(i), n));
        Generation.Outcome o = new Generation(si, roundHash, store, settings, now,
                new Children(client, si, roundHash), verifier, checks, grants).avoiding(avoid)
                .advance(round.builds, pods, new StatusComposer(null, generation, now), round.check);
        SystemImageStatus s = o.status();
        round.builds = s.builds;
        round.check = s.check;
        if (!s.phase.isFinal()) {
            long done = s.builds.stream().filter(b -> b.phaseOrPending().isFinal()).count();
            String stall = "True".equals(Conditions.status(s.conditions, Conditions.STALLED))
                    ? ": " + Conditions.reason(s.conditions, Conditions.STALLED) : "";
            RoundConditions.verifying(next, previous, true, reason(round), "round " + round.round + " (" + round.trigger + "): "
                    + done + " of " + s.builds.size() + " builds finished" + stall, now);
            return changed(previous, next, o.wakeAt());
        }
        finish(si, previous, next, s, now);
        reserved.remove(key(si));
        admission.finished(si);
        return changed(previous, next, dueOf(next));
    }

    /**
     * Takes one of the cluster-wide round slots. Running rounds are read from the cache; rounds this process
     * started in the last minute count too (two reconcile threads must not both take the last slot before
     * either status is cached).
     *
     * @return -1 when taken, else how many rounds run
     */
    private synchronized int reserveRound(SystemImage si, Supplier<Stream<SystemImage>> all, Instant now) {
        java.util.Set<String> busy = all.get().filter(o -> o.getStatus() != null && o.getStatus().reverification != null
                && o.getStatus().reverification.running()).map(Reverifier::key)
                .collect(Collectors.toCollection(java.util.HashSet::new));
        reserved.entrySet().removeIf(e -> !busy.contains(e.getKey()) && e.getValue().isBefore(now.minusSeconds(60)));
        busy.addAll(reserved.keySet());
        busy.remove(key(si));
        if (busy.size() >= limits.maxConcurrent()) {
            return busy.size();
        }
        reserved.put(key(si), now);
        return -1;
    }

    private static String key(SystemImage si) {
        return si.getMetadata().getNamespace() + "/" + si.getMetadata().getName();
    }

    /** The round reached a verdict of its own (or failed): compare, record, set the conditions. */
    private void finish(SystemImage si, SystemImageStatus previous, SystemImageStatus next, SystemImageStatus s,
                        Instant now) {
        ReverificationRound round = next.reverification;
        round.done = true;
        VerificationRecord r = RoundRecords.of(round, s, previous.artifacts, now);
        RoundConditions.finished(next, previous, r, now);
        switch (r.result) {
            case VerificationRecord.FAILED -> events.emit(si, EventRecorder.WARNING, "ReverifyFailed", r.message);
            case VerificationRecord.REGRESSION -> events.emit(si, EventRecorder.WARNING, RoundConditions.REGRESSION,
                    r.message);
            default -> events.emit(si, EventRecorder.NORMAL, "Reverified", r.message);
        }
        next.verifications = RoundRecords.appended(next.verifications, r);
    }

    /**
     * After a pass of the normal path on the same spec (e.g. an edit of the schedule bumped the generation):
     * keep the re-verification state and a regression's conditions, and say when to look again.
     *
     * @return the earlier of {@code wakeAt} and the next due re-verification
     */
    Instant carryOver(SystemImage si, SystemImageStatus sameSpec, SystemImageStatus next, Instant wakeAt) {
        if (sameSpec != null) {
            next.lastVerificationTime = sameSpec.lastVerificationTime;
            next.lastHandledReverifyAt = sameSpec.lastHandledReverifyAt;
            next.reverification = sameSpec.reverification;
            next.verifications = sameSpec.verifications;
            RoundConditions.carryOver(next, sameSpec);
        }
        next.nextVerificationTime = null;
        VerificationSchedule schedule = eligible(next) ? schedule(si) : null;
        if (schedule == null) {
            return wakeAt;
        }
        Instant due = schedule.next(reference(next), uid(si), limits.maxJitter());
        next.nextVerificationTime = due == null ? null : due.toString();
        return due == null || (wakeAt != null && wakeAt.isBefore(due)) ? wakeAt : due;
    }

    /**
     * Why a schedule may not run as asked, or null: the minimum interval is the operator's (Helm value
     * verification.minInterval), so it is checked here rather than in the CRD.
     */
    String invalid(SystemImage si, Instant now) {
        VerificationSchedule s;
        try {
            s = VerificationSchedule.of(si.getSpec().verification);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (s == null) {
            return null;
        }
        Duration shortest = s.shortestPeriod(now, 8);
        if (shortest.compareTo(limits.minInterval()) < 0) {
            return "spec.verification." + (s.kind() == VerificationSchedule.Kind.Interval ? "interval" : "schedule")
                    + ": re-verifies every " + shortest + ", more often than the operator's minimum "
                    + limits.minInterval() + " (twinbuild.verification.min-interval, Helm verification.minInterval)";
        }
        return null;
    }

    /**
     * Old rounds' pods and manifests go when a new round starts; the last round's stay for inspection. The
     * pods are listed from the API server: finished rounds' pods are retired (not cached).
     */
    private static void deleteOlderRounds(KubernetesClient client, SystemImage si, String hash, String current) {
        String ns = si.getMetadata().getNamespace();
        Retirement.listed(client, si).stream().filter(p -> {
            String label = p.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH);
            return Names.ofSpec(hash, label) && !hash.equals(label) && !current.equals(label)
                    && p.getMetadata().getDeletionTimestamp() == null;
        }).forEach(p -> client.pods().inNamespace(ns).withName(p.getMetadata().getName()).delete());
        client.configMaps().inNamespace(ns)
                .withLabel(Names.LABEL_IMAGE, Names.imageLabel(si.getMetadata().getName()))
                .withLabel(Names.LABEL_MANAGED_BY, Names.MANAGED_BY).list().getItems().stream()
                .filter(cm -> {
                    String label = cm.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH);
                    return Names.ofSpec(hash, label) && !hash.equals(label) && !current.equals(label);
                })
                .forEach(cm -> client.configMaps().inNamespace(ns).withName(cm.getMetadata().getName()).delete());
    }

    /** A verdict to check again: reproducible, or reproducible before a re-verification found a regression. */
    private static boolean eligible(SystemImageStatus s) {
        return s != null && !s.artifacts.isEmpty() && (s.phase == Phase.Reproducible || RoundConditions.regressed(s));
    }

    private static String requested(SystemImage si, SystemImageStatus previous) {
        Map<String, String> a = si.getMetadata().getAnnotations();
        String value = a == null ? null : a.get(ANNOTATION);
        return value == null || value.equals(previous.lastHandledReverifyAt) ? null : RoundRecords.cut(value, 256);
    }

    /** When the last verification began: the last round, else the verdict (Reproducible's transition). */
    private static Instant reference(SystemImageStatus s) {
        if (s.lastVerificationTime != null) {
            return Instant.parse(s.lastVerificationTime);
        }
        return s.conditions.stream().filter(c -> Conditions.REPRODUCIBLE.equals(c.getType()))
                .map(c -> Instant.parse(c.getLastTransitionTime())).findFirst().orElse(Instant.EPOCH);
    }

    private static VerificationSchedule schedule(SystemImage si) {
        try {
            return VerificationSchedule.of(si.getSpec().verification);
        } catch (IllegalArgumentException e) {
            return null; // refused by invalid() on the normal path
        }
    }

    private static Instant dueOf(SystemImageStatus s) {
        return s.nextVerificationTime == null ? null : Instant.parse(s.nextVerificationTime);
    }

    private static String reason(ReverificationRound r) {
        return "Annotation".equals(r.trigger) ? "Requested" : "Scheduled";
    }

    private static Pass changed(SystemImageStatus previous, SystemImageStatus next, Instant wakeAt) {
        boolean same = Serialization.asJson(previous).equals(Serialization.asJson(next));
        return new Pass(same ? null : next, wakeAt);
    }

    private static String uid(SystemImage si) {
        return si.getMetadata().getUid();
    }

    private static SystemImageStatus copy(SystemImageStatus s) {
        return Serialization.unmarshal(Serialization.asJson(s), SystemImageStatus.class);
    }
}
