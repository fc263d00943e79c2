package dev.twinbuild.operator.reconciler;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.operator.admission.Admission;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.attest.Attestor;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.ManifestConfigMap;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.policy.TenantPolicy;
import dev.twinbuild.operator.status.StatusComposer;
import dev.twinbuild.operator.store.ArtifactVerifier;
import dev.twinbuild.operator.store.CheckIssuer;
import dev.twinbuild.operator.store.GrantIssuer;
import dev.twinbuild.pipeline.InputException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The status of a generation whose verdict does not stand: a spec that names no store, is invalid, is
 * refused by the admin's policy or lacks its package lock fails (or waits for the lock); an admitted one's
 * builds advance (Generation) and its verdict is signed; the others wait in the build queue. This class
 * computes the status and when to look again; the reconciler writes it.
 */
final class StatusPass {
    /** How often a queued SystemImage's place is brought up to date in its status. */
    static final Duration QUEUE_REFRESH = Duration.ofSeconds(30);
    static final Duration LOCK_RECHECK = Duration.ofSeconds(15);

    /** @param wakeAt when to look again even if nothing happens (null: on events only) */
    record Result(SystemImageStatus status, Instant wakeAt) {
    }

    private final OperatorSettings settings;
    private final Admission admission;
    private final ArtifactVerifier verifier;
    private final CheckIssuer checks;
    private final GrantIssuer grants;
    private final TransitionReporter reporter;

    StatusPass(OperatorSettings settings, Admission admission, ArtifactVerifier verifier, CheckIssuer checks,
               GrantIssuer grants, TransitionReporter reporter) {
        this.settings = settings;
        this.admission = admission;
        this.verifier = verifier;
        this.checks = checks;
        this.grants = grants;
        this.reporter = reporter;
    }

    /**
     * @param store      where the artifacts go ({@link OperatorSettings#storeFor}; null: nowhere)
     * @param refusal    the admin's policy's refusal of the spec, if any
     * @param reverifier says whether the spec's schedule of re-verification is allowed
     */
    Result next(Observed seen, ArtifactStore store, Children children, Optional<TenantPolicy.Refusal> refusal,
                Reverifier reverifier, Attestor attestor, KubernetesClient client) {
        SystemImage si = seen.si();
        String hash = seen.hash();
        SystemImageStatus same = seen.same();
        Set<Pod> pods = seen.pods();
        Instant now = seen.now();
        StatusComposer composer = seen.composer();
        String invalid = invalidSpec(si);
        invalid = invalid != null ? invalid : reverifier.invalid(si, now);
        SystemImageStatus next;
        Instant wakeAt = null;
        Optional<PackageLockCheck.Problem> lockProblem;
        if (store == null) {
            next = composer.failed(hash, List.of(), "NoArtifactStore",
                    "the spec names no store and the operator has no default store");
        } else if (invalid != null) {
            next = composer.failed(hash, List.of(), "InvalidSpec", invalid);
        } else if (refusal.isPresent()) {
            // Nothing runs for a refused spec, also not pods started before the policy was tightened.
            pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .forEach(p -> children.deletePod(p.getMetadata().getName()));
            next = composer.failed(hash, List.of(), refusal.get().reason(), refusal.get().message());
        } else if ((lockProblem = lockProblem(si, started(same, pods, hash), client)).isPresent()) {
            PackageLockCheck.Problem p = lockProblem.get();
            if (p.permanent()) {
                next = composer.failed(hash, List.of(), p.reason(), p.message());
            } else {
                // Looked at again until the ConfigMap is there (creating it is no event the operator watches).
                next = composer.inProgress(hash, List.of(), p.reason(), p.message());
                wakeAt = now.plus(LOCK_RECHECK);
            }
        } else {
            Admission.Ticket ticket = admission.admit(si, started(same, pods, hash));
            if (ticket.admitted()) {
                Generation.Outcome outcome = new Generation(si, hash, store, settings, now, children, verifier,
                        checks, grants)
                        .advance(same != null ? same.builds : List.of(), pods, composer,
                                same != null ? same.check : null);
                outcome.started().forEach(b -> reporter.started(si, b));
                next = outcome.status();
                wakeAt = outcome.wakeAt();
                if (same != null && same.phase == next.phase && next.attestations.isEmpty()) {
                    // Signed once per verdict (ECDSA signatures differ each time): later passes keep them.
                    next.attestations = same.attestations;
                }
                Instant retry = attestor.attest(si, hash, store, next, si.getSpec().builderImage != null
                        ? si.getSpec().builderImage : settings.builderImage(), now);
                wakeAt = wakeAt == null || (retry != null && retry.isBefore(wakeAt)) ? retry : wakeAt;
            } else {
                next = composer.queued(hash, ticket.position(), queuedMessage(si, ticket));
                wakeAt = now.plus(QUEUE_REFRESH); // its place moves as others start; events bring it its turn
            }
        }
        return new Result(next, wakeAt);
    }

    /** Builds of the current spec have begun: its pods exist, or the status records attempts. */
    private static boolean started(SystemImageStatus sameSpec, Set<Pod> pods, String hash) {
        return pods.stream().anyMatch(p -> hash.equals(p.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH)))
                || sameSpec != null && sameSpec.queuePosition == null
                && sameSpec.builds.stream().anyMatch(b -> b.attemptsOrZero() > 0);
    }

    private String queuedMessage(SystemImage si, Admission.Ticket t) {
        var limits = admission.limits();
        return "position " + t.position() + " of " + t.waiting() + " in the build queue: " + t.building()
                + (limits.maxBuilding() > 0 ? " of " + limits.maxBuilding() : "") + " SystemImages building, "
                + t.buildingNamespace()
                + (limits.maxBuildingPerNamespace() > 0 ? " of " + limits.maxBuildingPerNamespace() : "")
                + " in namespace " + si.getMetadata().getNamespace();
    }

    /**
     * Only before the spec's first pod: a running build has its lock mounted already, and a finished one's
     * pods may be retired (not cached) — its status records the builds.
     */
    private static Optional<PackageLockCheck.Problem> lockProblem(SystemImage si, boolean started,
                                                                  KubernetesClient client) {
        return started ? Optional.empty()
                : PackageLockCheck.check(client, si.getMetadata().getNamespace(), si.getSpec());
    }

    /** The CLI's own validation, which says more than the CRD schema can (e.g. duplicate paths). */
    private static String invalidSpec(SystemImage si) {
        try {
            Manifests.parse(ManifestConfigMap.manifest(si), "spec");
            return null;
        } catch (InputException e) {
            return e.getMessage();
        }
    }
}
