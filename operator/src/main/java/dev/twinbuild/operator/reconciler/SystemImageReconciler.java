package dev.twinbuild.operator.reconciler;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.operator.admission.Admission;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.attest.Attestor;
import dev.twinbuild.operator.cache.PrunedCache;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.config.ReverifySettings;
import dev.twinbuild.operator.events.EventRecorder;
import dev.twinbuild.operator.metrics.BuildMetrics;
import dev.twinbuild.operator.policy.TenantPolicy;
import dev.twinbuild.operator.status.Conditions;
import dev.twinbuild.operator.status.StatusComposer;
import dev.twinbuild.operator.store.ArtifactVerifier;
import dev.twinbuild.operator.store.CheckIssuer;
import dev.twinbuild.operator.store.GrantIssuer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.quarkiverse.operatorsdk.annotations.RBACRule;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurableReconciler;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * For each generation of a SystemImage: launch its builds, follow them, compare their outputs, write the
 * verdict. All state lives in the cluster (pods with deterministic names, and the status), so a restarted
 * operator carries on where the last one stopped without duplicating builds.
 *
 * <p>Builder pods are managed here rather than as JOSDK dependent resources: a dependent recreates a
 * missing resource at once, while a build needs bounded, backed-off retries and must keep finished pods.
 * Pods rather than Jobs: the Job controller would add its own retries and random pod names, hide the
 * termination message one level down, and does not exist on a bare API server (the tests).
 *
 * <p>This class wires the controller (its informers and event sources), picks the pass a SystemImage gets
 * and writes the status: StatusPass computes it for a generation without a standing verdict, Reverifier for
 * one whose verdict stands; Generation and BuildTracker follow the builds themselves.
 */
// Not generation-aware: the annotation twinbuild.dev/reverify-requested-at must wake it (ReverifyRequests).
@ControllerConfiguration(name = SystemImageReconciler.NAME, generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = ReverifyRequests.class))
// patch: the label twinbuild.dev/retired on the pods of a written verdict (Retirement).
@RBACRule(apiGroups = "", resources = "pods", verbs = {"get", "list", "watch", "create", "delete", "patch"})
@RBACRule(apiGroups = "", resources = "configmaps", verbs = {"get", "list", "create", "delete", "deletecollection"})
@RBACRule(apiGroups = "", resources = "events", verbs = {"create", "patch"})
// Secrets: a spec's own store credentials (get); builds' upload grants, owned by their pods (create, delete).
@RBACRule(apiGroups = "", resources = "secrets", verbs = {"get", "create", "delete"})
// imagePullSecrets of the builder pods' service account: their names are mounted into builder pods.
@RBACRule(apiGroups = "", resources = "serviceaccounts", verbs = {"get"})
// The node of a pod stuck Terminating: NotReady (force-delete the pod, retry the build) or alive (wait).
@RBACRule(apiGroups = "", resources = "nodes", verbs = {"get"})
// Leader election (twinbuild.leader-election.enabled=true, for more than one replica).
@RBACRule(apiGroups = "coordination.k8s.io", resources = "leases", verbs = {"get", "create", "update"})
// Reconciler named as well: plain JOSDK (the API-server tests) reads the primary type from that interface.
public class SystemImageReconciler implements Reconciler<SystemImage>, ConfigurableReconciler<SystemImage> {
    public static final String NAME = "systemimage";
    private static final Logger LOG = Logger.getLogger(SystemImageReconciler.class);

    private final OperatorSettings settings;
    private final BuildMetrics metrics;
    private final Clock clock;
    private final ArtifactVerifier verifier;
    private final CheckIssuer checks;
    private final TransitionReporter reporter;
    private final GrantIssuer grants;
    private final Admission admission;
    private Attestor attestor = Attestor.disabled();
    private final EventRecorder events;
    private final StatusPass statusPass;
    private Reverifier reverifier;

    @Inject
    public SystemImageReconciler(OperatorSettings settings, BuildMetrics metrics, Clock clock,
                                 ArtifactVerifier verifier, CheckIssuer checks, EventRecorder events,
                                 GrantIssuer grants) {
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
        this.verifier = verifier;
        this.checks = checks;
        this.reporter = new TransitionReporter(events, metrics);
        this.grants = grants;
        this.admission = new Admission(settings.queue());
        this.events = events;
        this.statusPass = new StatusPass(settings, admission, verifier, checks, grants, reporter);
        setReverifySettings(ReverifySettings.defaults());
    }

    /** Limits on re-verification (the application sets them from twinbuild.verification.*, tests may). */
    @Inject
    public void setReverifySettings(ReverifySettings limits) {
        this.reverifier = new Reverifier(limits, settings, admission, verifier, checks, grants, events);
    }

    /** Signs verdicts (off unless set: the application sets it, tests may). */
    @Inject
    public void setAttestor(Attestor attestor) {
        this.attestor = attestor;
    }

    /**
     * The SystemImage informer caches objects without their managed fields (PrunedCache): its memory is the
     * objects' spec and status. Called by QOSDK at registration, after the namespaces are configured.
     */
    @Override
    public void updateConfigurationFrom(ControllerConfigurationOverrider<SystemImage> overrider) {
        Set<String> namespaces = overrider.build().getInformerConfig().getNamespaces();
        PrunedCache.<SystemImage>store(namespaces).ifPresentOrElse(store -> {
            overrider.withItemStore(store);
            LOG.infof("informer caches of %s keep no managedFields", namespaces);
        }, () -> LOG.infof("informer caches of %s keep managedFields: one informer per namespace", namespaces));
    }

    @Override
    public List<EventSource<?, SystemImage>> prepareEventSources(EventSourceContext<SystemImage> context) {
        metrics.watch(() -> context.getPrimaryCache().list());
        SecondaryToPrimaryMapper<Pod> owners = Mappers.fromOwnerReferences(SystemImage.class);
        // Only the operator's own pods of unfinished work are cached (label selector, Retirement): memory
        // follows the builds that run, not the cluster nor the SystemImages that have their verdict.
        // Without managed fields either (PrunedCache), in the controller's namespaces.
        var pods = InformerEventSourceConfiguration.from(Pod.class, SystemImage.class)
                .withLabelSelector(Retirement.SELECTOR)
                .withItemStore(PrunedCache.<Pod>store(context.getControllerConfiguration().getInformerConfig()
                        .getNamespaces()).orElse(null))
                .withSecondaryToPrimaryMapper(pod -> {
                    // A pod that ends or goes (its SystemImage deleted) may free a build slot.
                    admission.promote();
                    return owners.toPrimaryResourceIDs(pod);
                })
                .withNamespacesInheritedFromController()
                .build();
        InformerEventSource<Pod, SystemImage> podSource = new InformerEventSource<>(pods, context);
        SimpleInboundEventSource<SystemImage> promotions = new SimpleInboundEventSource<>("build-queue");
        admission.watch(() -> context.getPrimaryCache().list(), podSource::list, promotions::propagateEvent);
        return List.of(podSource, promotions);
    }

    @Override
    public UpdateControl<SystemImage> reconcile(SystemImage si, Context<SystemImage> context) {
        Observed seen = Observed.of(si, context.getSecondaryResources(Pod.class), clock.instant());
        SystemImageStatus previous = seen.previous();
        Instant now = seen.now();
        Children children = new Children(context.getClient(), si, seen.hash());

        // After a spec change, the old spec's retired pods (not cached) go too.
        boolean respec = !seen.sameSpec() && previous != null && previous.specHash != null;
        children.deleteSuperseded(respec ? Retirement.listed(context.getClient(), si) : seen.pods(),
                !seen.sameSpec());
        Optional<TenantPolicy.Refusal> refusal = settings.policy()
                .check(si.getSpec(), settings.builderImage(), settings.defaultStore());
        // A refusal by the admin's policy is re-examined after each operator start (the policy may have changed).
        boolean policyLifted = refusal.isEmpty() && previous != null
                && TenantPolicy.isPolicyReason(Conditions.reason(previous.conditions, Conditions.STALLED));
        ArtifactStore store = settings.storeFor(si.getSpec());
        // A verdict stands once its check (the diagnosis of an Unreproducible one) is done too.
        if (seen.sameSpec() && previous.phase != null && previous.phase.isFinal() && !policyLifted
                && (previous.check == null || previous.check.isFinal())
                && previous.observedGeneration != null && previous.observedGeneration == seen.generation()
                && !attestor.due(si, previous, store)) {
            return reverify(seen, store, context);
        }

        StatusPass.Result pass = statusPass.next(seen, store, children, refusal, reverifier, attestor,
                context.getClient());
        SystemImageStatus next = pass.status();
        Instant wakeAt = reverifier.carryOver(si, seen.same(), next, pass.wakeAt());
        reporter.report(si, previous, next, now);

        StatusRedaction.apply(next);
        if (previous == null || !Serialization.asJson(previous).equals(Serialization.asJson(next))) {
            // Patched and cached at once: the next pass must see the pod UIDs this one recorded.
            patchStatus(si, next, context);
        }
        Retirement.retire(context.getClient(), si, seen.hash(), next, seen.pods());
        if (next.phase.isFinal()) {
            admission.finished(si);
        }
        UpdateControl<SystemImage> control = UpdateControl.noUpdate();
        if (wakeAt != null) {
            Duration delay = Duration.between(now, wakeAt);
            control.rescheduleAfter(delay.isNegative() ? Duration.ofMillis(100) : delay.plusMillis(100));
        }
        return control;
    }

    /** The verdict on this spec stands (and is signed); it may be due to be checked again. */
    private UpdateControl<SystemImage> reverify(Observed seen, ArtifactStore store, Context<SystemImage> context) {
        SystemImage si = seen.si();
        Reverifier.Pass p = reverifier.pass(si, seen.previous(), seen.hash(), store, seen.pods(),
                context.getClient(), () -> context.getPrimaryCache().list(), seen.now());
        if (p.status() != null) {
            reporter.report(si, seen.previous(), p.status(), seen.now());
            StatusRedaction.apply(p.status());
            patchStatus(si, p.status(), context);
        }
        Retirement.retire(context.getClient(), si, seen.hash(), p.status() != null ? p.status() : seen.previous(),
                seen.pods());
        return p.wakeAt() == null ? UpdateControl.noUpdate() : UpdateControl.<SystemImage>noUpdate()
                .rescheduleAfter(Duration.between(seen.now(), p.wakeAt()).plusMillis(100).abs());
    }

    /** The status alone, by server-side apply, and the result put in the informer's cache at once. */
    private static void patchStatus(SystemImage si, SystemImageStatus next, Context<SystemImage> context) {
        SystemImage fresh = new SystemImage();
        fresh.setMetadata(new ObjectMetaBuilder().withName(si.getMetadata().getName())
                .withNamespace(si.getMetadata().getNamespace()).build());
        fresh.setStatus(next);
        PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(si, fresh, context);
    }

    /**
     * The API server refused a write of this pass (a builder pod's create: a ResourceQuota, Pod Security, a
     * 422; or the status patch itself): say so in the status, where the namespace's owner looks. A refusal
     * that may lift (quota) is looked at again after a backoff; a 422 will not change until the spec does.
     */
    @Override
    public ErrorStatusUpdateControl<SystemImage> updateErrorStatus(SystemImage si, Context<SystemImage> context,
                                                                   Exception e) {
        ApiErrors.Refusal refusal = ApiErrors.classify(e);
        LOG.warnf("%s/%s: %s: %s", si.getMetadata().getNamespace(), si.getMetadata().getName(), refusal.reason(),
                refusal.message());
        if (refusal.conflict()) {
            return ErrorStatusUpdateControl.defaultErrorProcessing(); // a stale read: JOSDK retries at once
        }
        Observed seen = Observed.of(si, Set.of(), clock.instant()); // the pass failed: its pods do not count
        var builds = seen.sameSpec() ? seen.previous().builds : List.<BuildStatus>of();
        StatusComposer composer = seen.composer();
        SystemImageStatus next = refusal.permanent()
                ? composer.failed(seen.hash(), builds, refusal.reason(), refusal.message())
                : composer.inProgress(seen.hash(), builds, refusal.reason(), refusal.message());
        reporter.report(si, seen.previous(), next, seen.now());
        si.setStatus(next);
        si.getMetadata().setResourceVersion(null); // the status says why; no optimistic lock on this write
        ErrorStatusUpdateControl<SystemImage> control = ErrorStatusUpdateControl.patchStatus(si).withNoRetry();
        return refusal.permanent() ? control : control.rescheduleAfter(settings.backoffAfter(2));
    }
}
