package dev.twinbuild.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Operator settings: application.properties, overridable by environment variables (TWINBUILD_...). */
@ConfigMapping(prefix = "twinbuild")
public interface TwinbuildConfig {
    Builder builder();

    Store store();

    Retry retry();

    /** How long builder pods may stay unschedulable before the SystemImage is Stalled (InsufficientNodes). */
    @WithDefault("60s")
    Duration unschedulableGrace();

    /**
     * How long a deleted builder pod may outlive its grace period on a node that is not Ready (its kubelet
     * cannot confirm the deletion) before it is force-deleted and its build retried elsewhere.
     */
    @WithDefault("60s")
    Duration lostPodGrace();

    /** Whether the operator reads back each S3 artifact and checks its sha256 before recording it. */
    @WithDefault("true")
    boolean verifyStoredArtifacts();

    LeaderElection leaderElection();

    Diagnosis diagnosis();

    Policy policy();

    Queue queue();

    Reverification verification();

    /** Re-verification of verdicts (spec.verification.interval/schedule): see ReverifySettings. */
    interface Reverification {
        @WithDefault(ReverifySettings.DEFAULT_MIN_INTERVAL)
        Duration minInterval();

        @WithDefault(ReverifySettings.DEFAULT_MAX_JITTER)
        Duration maxJitter();

        @WithDefault(ReverifySettings.DEFAULT_MAX_CONCURRENT)
        int maxConcurrent();
    }

    /** How many SystemImages build at once; the others wait, first come first served (see QueueLimits). */
    interface Queue {
        @WithDefault(QueueLimits.DEFAULT_MAX_BUILDING)
        int maxBuilding();

        @WithDefault(QueueLimits.DEFAULT_MAX_BUILDING_PER_NAMESPACE)
        int maxBuildingPerNamespace();
    }

    Attestation attestation();

    /** Signed attestations of verdicts (see dev.twinbuild.operator.attest). */
    interface Attestation {
        @WithDefault("true")
        boolean enabled();

        /** Namespace of the key's Secret and ConfigMap; default: the operator's own (KUBERNETES_NAMESPACE). */
        Optional<String> namespace();

        @WithDefault("twinbuild-attestation-key")
        String secretName();

        /** Public key (PEM, key public.pem) for verifiers; the name is fixed by convention. */
        @WithDefault("twinbuild-attestation-key")
        String configMapName();

        /** SLSA builder.id and VSA verifier.id of this installation. */
        @WithDefault("https://twinbuild.dev/operator/v1")
        String builderId();
    }

    Packages packages();

    /** Packages layers in builder pods. */
    interface Packages {
        /**
         * Base URL builder pods fetch locked packages from instead of the lock's mirror (a cluster that cannot
         * reach deb.debian.org: an internal mirror or cache). Safe: every file is pinned by sha256.
         */
        Optional<String> mirrorOverride();
    }

    /** What a SystemImage may choose itself; nothing by default (see TenantPolicy). */
    interface Policy {
        /** Images spec.builderImage may name besides builder.image: exact references or prefixes ending in "*". */
        Optional<List<String>> builderImages();

        @WithDefault("true")
        boolean builderImageDigestRequired();

        /** S3 stores spec.store.s3 may name besides the default store: "<endpoint>/<bucket>" ("*": any bucket). */
        Optional<List<String>> s3Stores();

        @WithDefault("false")
        boolean pvcAllowed();

        /** Claims spec.store.pvc may name (when pvc-allowed); empty: any claim of the namespace. */
        Optional<List<String>> pvcClaims();
    }

    interface Diagnosis {
        /** Outputs larger than this are read back by the check pod but not diffed (their digests still decide). */
        @WithDefault("2147483648")
        long maxBytes();
    }

    interface Builder {
        @WithDefault("ghcr.io/twinbuild/builder:0.1.0")
        String image();

        @WithDefault("IfNotPresent")
        String imagePullPolicy();

        /** The twinbuild CLI inside the image; the operator appends "pod-build" and its flags. */
        @WithDefault("twinbuild")
        List<String> command();

        @WithDefault("1000")
        long runAsUser();

        @WithDefault("1000")
        long runAsGroup();

        /** Capabilities added back after dropping ALL (none by default: the pipeline runs unprivileged). */
        Optional<List<String>> addCapabilities();

        @WithDefault("500m")
        String cpuRequest();

        @WithDefault("2")
        String cpuLimit();

        @WithDefault("1Gi")
        String memoryRequest();

        @WithDefault("4Gi")
        String memoryLimit();

        /** Size limit of the emptyDir the build works in. */
        @WithDefault("20Gi")
        String workSizeLimit();

        Optional<String> serviceAccount();
    }

    /** The store used when a SystemImage names none. */
    interface Store {
        Optional<String> s3Endpoint();

        Optional<String> s3Bucket();

        Optional<String> s3Region();

        Optional<String> s3Prefix();

        /**
         * Files up to this size go up in one presigned PUT, larger ones in presigned parts of this size
         * (S3: 5 MiB to 5 GiB). The operator's own credentials come from the AWS SDK's default chain.
         */
        @WithDefault("512Mi")
        String s3PartSize();

        /** Deadline of one S3 call, retries included: what a stalled store can cost a reconcile pass. */
        @WithDefault("30s")
        Duration s3CallTimeout();

        /** Deadline of one S3 attempt (and the socket read timeout). */
        @WithDefault("10s")
        Duration s3AttemptTimeout();

        @WithDefault("4")
        int s3MaxAttempts();

        @WithDefault("true")
        boolean s3PathStyle();

        Optional<String> pvcClaimName();

        Optional<String> pvcSubPath();
    }

    interface Retry {
        /** Pods per build, first attempt included, for failures that may not recur (lost pod, store down). */
        @WithDefault("3")
        int maxAttempts();

        @WithDefault("10s")
        Duration initialBackoff();

        @WithDefault("5m")
        Duration maxBackoff();
    }

    interface LeaderElection {
        @WithDefault("false")
        boolean enabled();

        @WithDefault("twinbuild-operator")
        String leaseName();

        /** Defaults to the namespace the operator runs in. */
        Optional<String> leaseNamespace();
    }
}
