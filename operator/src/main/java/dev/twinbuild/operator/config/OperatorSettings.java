package dev.twinbuild.operator.config;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.PvcStore;
import dev.twinbuild.api.v1alpha1.S3Store;
import dev.twinbuild.api.v1alpha1.SystemImageSpec;
import dev.twinbuild.operator.policy.TenantPolicy;

import java.time.Duration;
import java.util.List;

/**
 * The settings the reconciler works with, as a plain value so that tests can build it without CDI.
 *
 * @param defaultStore null when the operator has none: a SystemImage must then name its own store
 * @param policy       what a SystemImage may choose itself (builder image, store)
 * @param lostPodGrace how long a deleted pod may outlive its grace period on a node that is not Ready
 *                     before it is force-deleted and its build counted as lost
 * @param queue        how many SystemImages may build at once, cluster-wide and per namespace
 * @param packageMirror replaces the lock's mirror in the package URLs builder pods fetch (null: none)
 */
public record OperatorSettings(String builderImage, String imagePullPolicy, List<String> builderCommand,
                               long runAsUser, long runAsGroup, List<String> addCapabilities,
                               String cpuRequest, String cpuLimit, String memoryRequest, String memoryLimit,
                               String workSizeLimit, String serviceAccount, ArtifactStore defaultStore,
                               int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                               Duration unschedulableGrace, boolean verifyStoredArtifacts, Duration lostPodGrace,
                               TenantPolicy policy, QueueLimits queue, String packageMirror) {

    public static OperatorSettings defaults() {
        return new OperatorSettings("ghcr.io/twinbuild/builder:0.1.0", "IfNotPresent", List.of("twinbuild"),
                1000, 1000, List.of(), "500m", "2", "1Gi", "4Gi", "20Gi", null, null,
                3, Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(60), true,
                Duration.ofSeconds(60), TenantPolicy.closed(), QueueLimits.defaults(), null);
    }

    /** The store a SystemImage's artifacts go to: its own, else the operator's default (null: neither). */
    public ArtifactStore storeFor(SystemImageSpec spec) {
        return spec.store != null ? spec.store : defaultStore;
    }

    public static OperatorSettings from(TwinbuildConfig c) {
        TwinbuildConfig.Builder b = c.builder();
        return new OperatorSettings(b.image(), b.imagePullPolicy(), b.command(), b.runAsUser(), b.runAsGroup(),
                b.addCapabilities().orElse(List.of()), b.cpuRequest(), b.cpuLimit(), b.memoryRequest(),
                b.memoryLimit(), b.workSizeLimit(), b.serviceAccount().orElse(null), store(c.store()),
                c.retry().maxAttempts(), c.retry().initialBackoff(), c.retry().maxBackoff(), c.unschedulableGrace(),
                c.verifyStoredArtifacts(), c.lostPodGrace(), policy(c.policy()),
                new QueueLimits(c.queue().maxBuilding(), c.queue().maxBuildingPerNamespace()),
                c.packages().mirrorOverride().filter(m -> !m.isBlank()).orElse(null));
    }

    private static TenantPolicy policy(TwinbuildConfig.Policy p) {
        return new TenantPolicy(p.builderImages().orElse(List.of()), p.builderImageDigestRequired(),
                p.s3Stores().orElse(List.of()), p.pvcAllowed(), p.pvcClaims().orElse(List.of()));
    }

    private static ArtifactStore store(TwinbuildConfig.Store s) {
        ArtifactStore store = new ArtifactStore();
        if (s.s3Endpoint().isPresent() && s.s3Bucket().isPresent()) {
            store.s3 = new S3Store();
            store.s3.endpoint = s.s3Endpoint().get();
            store.s3.bucket = s.s3Bucket().get();
            store.s3.region = s.s3Region().orElse(null);
            store.s3.prefix = s.s3Prefix().orElse(null);
            // no credentialsSecret: the operator's own store is reached with the operator's own credentials
            return store;
        }
        if (s.pvcClaimName().isPresent()) {
            store.pvc = new PvcStore();
            store.pvc.claimName = s.pvcClaimName().get();
            store.pvc.subPath = s.pvcSubPath().orElse(null);
            return store;
        }
        return null;
    }

    public OperatorSettings withDefaultStore(ArtifactStore store) {
        return new OperatorSettings(builderImage, imagePullPolicy, builderCommand, runAsUser, runAsGroup,
                addCapabilities, cpuRequest, cpuLimit, memoryRequest, memoryLimit, workSizeLimit, serviceAccount,
                store, maxAttempts, initialBackoff, maxBackoff, unschedulableGrace, verifyStoredArtifacts, lostPodGrace,
                policy, queue, packageMirror);
    }

    public OperatorSettings withTiming(int maxAttempts, Duration initialBackoff, Duration unschedulableGrace) {
        return new OperatorSettings(builderImage, imagePullPolicy, builderCommand, runAsUser, runAsGroup,
                addCapabilities, cpuRequest, cpuLimit, memoryRequest, memoryLimit, workSizeLimit, serviceAccount,
                defaultStore, maxAttempts, initialBackoff, maxBackoff, unschedulableGrace, verifyStoredArtifacts,
                lostPodGrace, policy, queue, packageMirror);
    }

    public OperatorSettings withPolicy(TenantPolicy policy) {
        return new OperatorSettings(builderImage, imagePullPolicy, builderCommand, runAsUser, runAsGroup,
                addCapabilities, cpuRequest, cpuLimit, memoryRequest, memoryLimit, workSizeLimit, serviceAccount,
                defaultStore, maxAttempts, initialBackoff, maxBackoff, unschedulableGrace, verifyStoredArtifacts,
                lostPodGrace, policy, queue, packageMirror);
    }

    public OperatorSettings withLostPodGrace(Duration grace) {
        return new OperatorSettings(builderImage, imagePullPolicy, builderCommand, runAsUser, runAsGroup,
                addCapabilities, cpuRequest, cpuLimit, memoryRequest, memoryLimit, workSizeLimit, serviceAccount,
                defaultStore, maxAttempts, initialBackoff, maxBackoff, unschedulableGrace, verifyStoredArtifacts,
                grace, policy, queue, packageMirror);
    }

    public OperatorSettings withQueue(QueueLimits limits) {
        return new OperatorSettings(builderImage, imagePullPolicy, builderCommand, runAsUser, runAsGroup,
                addCapabilities, cpuRequest, cpuLimit, memoryRequest, memoryLimit, workSizeLimit, serviceAccount,
                defaultStore, maxAttempts, initialBackoff, maxBackoff, unschedulableGrace, verifyStoredArtifacts,
                lostPodGrace, policy, limits, packageMirror);
    }

    public OperatorSettings withPackageMirror(String mirror) {
        return new OperatorSettings(builderImage, imagePullPolicy, builderCommand, runAsUser, runAsGroup,
                addCapabilities, cpuRequest, cpuLimit, memoryRequest, memoryLimit, workSizeLimit, serviceAccount,
                defaultStore, maxAttempts, initialBackoff, maxBackoff, unschedulableGrace, verifyStoredArtifacts,
                lostPodGrace, policy, queue, mirror);
    }

    /** Backoff before attempt {@code attempt + 1}: doubling from the initial value, capped. */
    public Duration backoffAfter(int attempt) {
        Duration d = initialBackoff.multipliedBy(1L << Math.min(20, Math.max(0, attempt - 1)));
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}
