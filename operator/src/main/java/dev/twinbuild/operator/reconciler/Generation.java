package dev.twinbuild.operator.reconciler;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.Verification;
import dev.twinbuild.operator.api.v1alpha1.Artifact;
import dev.twinbuild.operator.api.v1alpha1.BuildFailure;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.BuilderPods;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.pods.PackageLockMount;
import dev.twinbuild.operator.pods.PodView;
import dev.twinbuild.operator.pods.RegistryAuthMounts;
import dev.twinbuild.operator.status.StatusComposer;
import dev.twinbuild.operator.status.Verdict;
import dev.twinbuild.operator.diagnosis.MismatchDiagnoser;
import dev.twinbuild.operator.store.ArtifactVerifier;
import dev.twinbuild.operator.store.BuildLayout;
import dev.twinbuild.operator.store.GrantIssuer;
import dev.twinbuild.store.UploadGrants;
import io.fabric8.kubernetes.api.model.Quantity;
import dev.twinbuild.store.StoreException;
import dev.twinbuild.verify.VariationPlan;
import dev.twinbuild.verify.VariationSet;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/** One pass over the builds of the current spec: advance each, then decide the SystemImage's status. */
final class Generation {
    static final String STORE_UNREACHABLE = StoreException.UNREACHABLE;
    /** Grants outlive the build's timeout by this much (scheduling, image pull, upload). */
    static final Duration GRANT_MARGIN = Duration.ofMinutes(15);

    /** @param started builds whose pod this pass created */
    record Outcome(SystemImageStatus status, Instant wakeAt, List<BuildStatus> started) {
    }

    private final SystemImage si;
    private final String hash;
    private final ArtifactStore store;
    private final OperatorSettings settings;
    private final Instant now;
    private final Children children;
    private final ArtifactVerifier verifier;
    private final MismatchDiagnoser diagnoser;
    private final GrantIssuer grants;
    private final Verification verification;

    Generation(SystemImage si, String hash, ArtifactStore store, OperatorSettings settings, Instant now,
               Children children, ArtifactVerifier verifier, MismatchDiagnoser diagnoser, GrantIssuer grants) {
        this.si = si;
        this.hash = hash;
        this.store = store;
        this.settings = settings;
        this.now = now;
        this.children = children;
        this.verifier = verifier;
        this.diagnoser = diagnoser;
        this.grants = grants;
        this.verification = si.getSpec().verificationOrDefault();
    }

    Outcome advance(List<BuildStatus> previous, Collection<Pod> pods, StatusComposer composer,
                    List<Artifact> verifiedBefore) {
        List<VariationSet> plan = VariationPlan.plan(verification.variationsOrDefault(), verification.buildsOrDefault());
        Map<String, Pod> byName = pods.stream()
                .filter(p -> hash.equals(p.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH)))
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), Function.identity(), (a, b) -> a));
        BuildTracker tracker = new BuildTracker(settings, verification.timeoutOrDefault(), children.nodes(),
                plan.size());

        List<BuildTracker.Step> steps = new ArrayList<>();
        for (VariationSet v : plan) {
            BuildStatus b = previous.stream().filter(p -> Objects.equals(p.index, v.index())).findFirst()
                    .map(Generation::copy).orElseGet(() -> fresh(v));
            Pod pod = byName.get(Names.pod(si.getMetadata().getName(), hash, v.index()));
            steps.add(tracker.track(b, pod == null ? null : PodView.of(pod), layout(v.index()), now));
        }
        List<BuildStatus> builds = steps.stream().map(BuildTracker.Step::status).toList();
        BuildStatus failed = builds.stream().filter(b -> b.phaseOrPending() == BuildPhase.Failed).findFirst().orElse(null);

        List<BuildStatus> started = new ArrayList<>();
        Instant wakeAt = null;
        for (int i = 0; i < steps.size(); i++) {
            BuildTracker.Step step = steps.get(i);
            BuildStatus b = step.status();
            if (failed != null && !b.phaseOrPending().isFinal()) {
                // No verdict is possible any more: free the nodes.
                b.phase = BuildPhase.Failed;
                b.retryAfter = null;
                b.failure = new BuildFailure(BuildTracker.CANCELLED, "cancelled because " + failed.name + " failed");
                children.deletePod(b.pod);
                continue;
            }
            switch (step.action()) {
                case CREATE -> {
                    Instant retryAt = create(b, plan.get(i), tracker);
                    if (retryAt == null && b.podUid != null) {
                        started.add(b);
                    }
                    wakeAt = earliest(wakeAt, retryAt);
                }
                case DELETE -> children.deletePod(b.pod);
                case FORCE_DELETE -> children.forceDeletePod(b.pod);
                case NONE -> { }
            }
            wakeAt = earliest(wakeAt, step.wakeAt());
        }

        if (failed != null) {
            return new Outcome(composer.failed(hash, builds, failed.failure.reason,
                    failed.name + ": " + failed.failure.message), null, started);
        }
        if (builds.stream().allMatch(b -> b.phaseOrPending() == BuildPhase.Succeeded)) {
            return decide(builds, composer, verifiedBefore, started);
        }
        PodFailures.Stall stall = steps.stream().map(BuildTracker.Step::stall).filter(Objects::nonNull).findFirst()
                .orElse(null);
        return new Outcome(composer.inProgress(hash, builds, stall == null ? null : stall.reason(),
                stall == null ? null : stall.message()), wakeAt, started);
    }

    /** All builds done: compare, and record artifacts only once their stored digests are checked. */
    private Outcome decide(List<BuildStatus> builds, StatusComposer composer, List<Artifact> verifiedBefore,
                           List<BuildStatus> started) {
        Verdict verdict = Verdict.of(builds);
        if (settings.verifyStoredArtifacts()) {
            try {
                // Every build's copy, at the keys the operator computed: not only the first of equal digests.
                for (BuildStatus b : builds) {
                    boolean known = verifiedBefore != null && b.outputs.stream().allMatch(o -> verifiedBefore.stream()
                            .anyMatch(v -> Objects.equals(v.location, o.location) && Objects.equals(v.sha256, o.sha256)));
                    if (!known) {
                        verifier.verify(si.getMetadata().getNamespace(), b, layout(b.index));
                    }
                }
            } catch (StoreException e) {
                if (e.isTransient()) {
                    return new Outcome(composer.inProgress(hash, builds, STORE_UNREACHABLE,
                            "cannot check the stored artifacts: " + e.getMessage()),
                            now.plus(settings.backoffAfter(2)), started);
                }
                return new Outcome(composer.failed(hash, builds, e.reason(), e.getMessage()), null, started);
            }
        }
        if (!verdict.reproducible()) {
            diagnoser.diagnose(si.getMetadata().getNamespace(), store, verdict.mismatch(), verdict.artifacts());
        }
        return new Outcome(composer.verdict(hash, builds, verdict), null, started);
    }

    private BuildLayout layout(int index) {
        return BuildLayout.of(si, hash, store, index);
    }

    /**
     * Issues the build's upload grants, creates its pod and hands it the grants (a Secret the pod owns).
     *
     * @return when to look again if the store could not issue grants now (the build then waits to retry)
     */
    private Instant create(BuildStatus b, VariationSet v, BuildTracker tracker) {
        UploadGrants issued = null;
        if (store.s3 != null) {
            long maxObject = Quantity.getAmountInBytes(new Quantity(settings.workSizeLimit())).longValue();
            Duration ttl = Duration.ofSeconds(verification.timeoutOrDefault()).plus(GRANT_MARGIN);
            try {
                issued = grants.issue(si.getMetadata().getNamespace(), layout(v.index()), maxObject, ttl, now);
            } catch (StoreException e) {
                return tracker.cannotStart(b, e, now).wakeAt();
            }
        }
        Pod desired = PackageLockMount.add(BuilderPods.desired(si, hash, v, store, settings, b.attempts),
                si.getSpec(), settings);
        Pod created = children.createPod(RegistryAuthMounts.add(desired, children.pullSecrets(settings.serviceAccount())));
        // null: a pod of that name was there already — not ours, so it will not count (BuildTracker).
        b.podUid = created == null ? null : created.getMetadata().getUid();
        if (created != null && issued != null) {
            try {
                children.createGrants(created, issued);
            } catch (KubernetesClientException e) {
                // A pod without its grants would wait for them forever: remove it, retry if that may help.
                children.deletePod(created.getMetadata().getName());
                b.podUid = null;
                boolean permanent = e.getCode() >= 400 && e.getCode() < 500 && e.getCode() != 409 && e.getCode() != 429;
                return tracker.cannotStart(b, new StoreException(permanent ? StoreException.REJECTED
                        : StoreException.UNREACHABLE, "cannot create the grants Secret: " + e.getMessage(), e), now)
                        .wakeAt();
            }
        }
        return null;
    }

    private BuildStatus fresh(VariationSet v) {
        BuildStatus b = new BuildStatus();
        b.index = v.index();
        b.name = Names.build(v.index());
        b.pod = Names.pod(si.getMetadata().getName(), hash, v.index());
        b.phase = BuildPhase.Pending;
        b.attempts = 0;
        v.applied().forEach((k, val) -> b.variations.put(k.name(), val));
        return b;
    }

    /** The cached status must not be mutated: work on a copy. */
    private static BuildStatus copy(BuildStatus b) {
        return Serialization.unmarshal(Serialization.asJson(b), BuildStatus.class);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }
}
