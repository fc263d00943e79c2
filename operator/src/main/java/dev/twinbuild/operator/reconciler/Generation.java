package dev.twinbuild.operator.reconciler;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.Verification;
import dev.twinbuild.check.CheckRequest;
import dev.twinbuild.operator.api.v1alpha1.CheckStatus;
import dev.twinbuild.operator.api.v1alpha1.Mismatch;
import dev.twinbuild.operator.api.v1alpha1.BuildFailure;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.BuilderPods;
import dev.twinbuild.operator.pods.CheckPods;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.pods.PackageLockMount;
import dev.twinbuild.operator.pods.PodView;
import dev.twinbuild.operator.pods.RegistryAuthMounts;
import dev.twinbuild.operator.status.StatusComposer;
import dev.twinbuild.operator.status.Verdict;
import dev.twinbuild.operator.store.ArtifactVerifier;
import dev.twinbuild.operator.store.BuildLayout;
import dev.twinbuild.operator.store.CheckIssuer;
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
import java.util.TreeMap;
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
    private final CheckIssuer checks;
    private final GrantIssuer grants;
    private final Verification verification;
    /** Build index → the node it ran on in the round before (a re-verification prefers another one). */
    private Map<Integer, String> avoidNodes = Map.of();

    Generation(SystemImage si, String hash, ArtifactStore store, OperatorSettings settings, Instant now,
               Children children, ArtifactVerifier verifier, CheckIssuer checks, GrantIssuer grants) {
        this.si = si;
        this.hash = hash;
        this.store = store;
        this.settings = settings;
        this.now = now;
        this.children = children;
        this.verifier = verifier;
        this.checks = checks;
        this.grants = grants;
        this.verification = si.getSpec().verificationOrDefault();
    }

    /** A re-verification round: each build prefers a node other than the one its index used last time. */
    Generation avoiding(Map<Integer, String> nodes) {
        this.avoidNodes = nodes;
        return this;
    }

    /** @param previousCheck the check recorded for this spec, if any */
    Outcome advance(List<BuildStatus> previous, Collection<Pod> pods, StatusComposer composer,
                    CheckStatus previousCheck) {
        List<VariationSet> plan = VariationPlan.plan(verification.variationsOrDefault(), verification.buildsOrDefault());
        Map<String, Pod> byName = pods.stream()
                .filter(p -> hash.equals(p.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH)))
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), Function.identity(), (a, b) -> a));
        BuildTracker tracker = new BuildTracker(settings, verification.timeoutOrDefault(), children.nodes(),
                plan.size(), layout -> verifier.storedSummary(si.getMetadata().getNamespace(), layout));

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
            return decide(builds, composer, previousCheck, started, byName);
        }
        PodFailures.Stall stall = steps.stream().map(BuildTracker.Step::stall).filter(Objects::nonNull).findFirst()
                .orElse(null);
        return new Outcome(composer.inProgress(hash, builds, stall == null ? null : stall.reason(),
                stall == null ? null : stall.message()), wakeAt, started);
    }

    /**
     * All builds done: compare. Equal digests count once a check pod has read every stored copy back (when
     * verifyStoredArtifacts is on); differing ones are written as Unreproducible at once, and a check pod
     * diagnoses them afterwards (differing paths, Twinbuild's and diffoscope's reports).
     */
    private Outcome decide(List<BuildStatus> builds, StatusComposer composer, CheckStatus previousCheck,
                           List<BuildStatus> started, Map<String, Pod> pods) {
        Verdict verdict = Verdict.of(builds);
        boolean s3 = store.s3 != null;
        if (s3 && previousCheck == null) {
            try {
                // Completes multipart uploads and checks the keys; no bytes are read here.
                for (BuildStatus b : builds) {
                    verifier.verify(si.getMetadata().getNamespace(), b, layout(b.index));
                }
            } catch (StoreException e) {
                if (e.isTransient()) {
                    return new Outcome(composer.inProgress(hash, builds, STORE_UNREACHABLE,
                            "cannot finish the stored artifacts: " + e.getMessage()),
                            now.plus(settings.backoffAfter(2)), started);
                }
                return new Outcome(composer.failed(hash, builds, e.reason(), e.getMessage()), null, started);
            }
        }
        if (!verdict.reproducible()) {
            SystemImageStatus s = composer.verdict(hash, builds, verdict);
            if (!s3) {
                return new Outcome(s, null, started);
            }
            if (previousCheck == null || !CheckStatus.DIAGNOSIS.equals(previousCheck.purpose)) {
                // The verdict is written first; the diagnosis pod starts on the next pass.
                s.check = new CheckStatus(CheckStatus.DIAGNOSIS, Names.checkPod(si.getMetadata().getName(), hash));
                return new Outcome(s, now, started);
            }
            CheckRun.Result r = runCheck(previousCheck, pods, builds, verdict.mismatch());
            s.check = r.status();
            if (r.summary() != null && r.summary().succeeded()) {
                Diagnosis.apply(s.mismatch, r.summary());
            }
            if (r.stall() != null) {
                Diagnosis.stalled(s, r.stall());
            }
            return new Outcome(s, r.wakeAt(), started);
        }
        if (!s3 || !settings.verifyStoredArtifacts()) {
            return new Outcome(composer.verdict(hash, builds, verdict), null, started);
        }
        CheckStatus check = previousCheck != null && CheckStatus.READ_BACK.equals(previousCheck.purpose) ? previousCheck
                : new CheckStatus(CheckStatus.READ_BACK, Names.checkPod(si.getMetadata().getName(), hash));
        CheckRun.Result r = runCheck(check, pods, builds, null);
        SystemImageStatus s;
        if (!r.status().isFinal()) {
            s = composer.inProgress(hash, builds, r.stall() == null ? null : r.stall().reason(),
                    r.stall() == null ? null : r.stall().message());
        } else if (r.status().phase == BuildPhase.Succeeded) {
            s = composer.verdict(hash, builds, verdict);
        } else {
            String reason = r.summary() != null ? r.summary().failure().reason() : Diagnosis.READ_BACK_FAILED;
            String message = r.summary() != null ? r.summary().failure().message() : r.status().message;
            s = composer.failed(hash, builds, reason, message);
        }
        s.check = r.status();
        return new Outcome(s, r.wakeAt(), started);
    }

    private CheckRun.Result runCheck(CheckStatus check, Map<String, Pod> pods, List<BuildStatus> builds,
                                     Mismatch mismatch) {
        Map<Integer, BuildLayout> layouts = new TreeMap<>();
        builds.forEach(b -> layouts.put(b.index, layout(b.index)));
        Duration ttl = Duration.ofSeconds(verification.timeoutOrDefault()).plus(GRANT_MARGIN);
        return new CheckRun(settings, children, now).advance(check, pods.get(check.pod), new CheckRun.Creator() {
            @Override
            public Pod createPod(int attempt) {
                return children.createPod(CheckPods.desired(si, hash, check.purpose, settings, attempt));
            }

            @Override
            public CheckRequest request() {
                return checks.issue(si.getMetadata().getNamespace(), builds, layouts, mismatch, ttl, now);
            }
        });
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
        String avoid = avoidNodes.get(v.index());
        if (avoid != null) {
            BuilderPods.preferOtherNode(desired, avoid);
        }
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
