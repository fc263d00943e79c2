package dev.twinbuild.operator.pods;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.store.S3Credentials;
import dev.twinbuild.store.Stores;
import dev.twinbuild.verify.VariationSet;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The builder pod of one build: hardened (no token, no privilege escalation, no capabilities, read-only
 * root, RuntimeDefault seccomp), kept off the nodes of its sibling builds, and varied as its
 * {@link VariationSet} says — environment, user/group, hostname/domain and CPU count through the pod
 * spec, the rest through {@code pod-build} flags.
 */
public final class BuilderPods {
    public static final String CONTAINER = "builder";
    public static final String MANIFEST_DIR = "/etc/twinbuild/manifest";
    public static final String WORK_DIR = "/work";
    public static final String STORE_DIR = "/store";
    public static final String TERMINATION_LOG = "/dev/termination-log";

    private BuilderPods() {
    }

    /**
     * @param store   the effective store (the spec's, else the operator's default)
     * @param attempt 1 for the first pod of this build; recorded so that a stale pod is never mistaken
     *                for a newer attempt
     */
    public static Pod desired(SystemImage si, String specHash, VariationSet v, ArtifactStore store,
                              OperatorSettings s, int attempt) {
        String name = si.getMetadata().getName();
        Map<String, String> selector = Names.generationLabels(name, specHash);
        Map<String, String> labels = Names.generationLabels(name, specHash);
        labels.put(Names.LABEL_BUILD_INDEX, Integer.toString(v.index()));
        labels.put(Names.LABEL_COMPONENT, "builder");
        long uid = v.uid() != null ? v.uid() : s.runAsUser();
        long gid = v.gid() != null ? v.gid() : s.runAsGroup();
        int timeout = si.getSpec().verificationOrDefault().timeoutOrDefault();

        return new PodBuilder()
                .withNewMetadata()
                .withName(Names.pod(name, specHash, v.index()))
                .withNamespace(si.getMetadata().getNamespace())
                .withLabels(labels)
                .addToAnnotations(Names.ANNOTATION_ATTEMPT, Integer.toString(attempt))
                .withOwnerReferences(ownerReference(si))
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withServiceAccountName(s.serviceAccount())
                .withHostname(v.hostname())
                .withSubdomain(v.domain())
                .withActiveDeadlineSeconds((long) timeout)
                .withNewAffinity().withNewPodAntiAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution()
                .withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector().withMatchLabels(selector).endLabelSelector()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity().endAffinity()
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(uid)
                .withRunAsGroup(gid)
                .withFsGroup(gid)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(container(si, specHash, v, store, s))
                .withVolumes(volumes(si, specHash, store, s))
                .endSpec()
                .build();
    }

    static OwnerReference ownerReference(SystemImage si) {
        return new OwnerReferenceBuilder()
                .withApiVersion(si.getApiVersion())
                .withKind(si.getKind())
                .withName(si.getMetadata().getName())
                .withUid(si.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    private static Container container(SystemImage si, String specHash, VariationSet v, ArtifactStore store,
                                       OperatorSettings s) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
                // umask is process state: only a shell in front of the CLI can set it.
                "umask \"$TWINBUILD_UMASK\" && exec \"$@\"", "twinbuild-builder"));
        command.addAll(s.builderCommand());
        command.add("pod-build");
        List<String> args = new ArrayList<>(List.of(
                "--manifest", MANIFEST_DIR + "/" + ManifestConfigMap.KEY,
                "--work", WORK_DIR,
                "--build-path", v.buildPath(),
                "--clock-offset", Long.toString(v.clockOffsetSeconds()),
                "--dir-order", v.dirOrder().name(),
                "--store-prefix", Stores.buildPrefix(store, si.getMetadata().getNamespace(),
                        si.getMetadata().getName(), specHash, v.index()),
                "--termination-log", TERMINATION_LOG));
        if (v.cpus() != null) {
            args.addAll(List.of("--threads", Integer.toString(v.cpus())));
        }
        v.applied().forEach((k, val) -> args.addAll(List.of("--variation", k.name() + "=" + val)));
        if (store.s3 != null) {
            args.addAll(List.of("--s3-endpoint", store.s3.endpoint, "--s3-bucket", store.s3.bucket));
            if (store.s3.region != null) {
                args.addAll(List.of("--s3-region", store.s3.region));
            }
        } else {
            args.addAll(List.of("--pvc-claim", store.pvc.claimName, "--pvc-mount", STORE_DIR));
            if (store.pvc.subPath != null) {
                args.addAll(List.of("--pvc-sub-path", store.pvc.subPath));
            }
        }
        command.addAll(args);

        String cpuLimit = v.cpus() != null ? Integer.toString(v.cpus()) : s.cpuLimit();
        String cpuRequest = Quantity.getAmountInBytes(new Quantity(s.cpuRequest()))
                .compareTo(Quantity.getAmountInBytes(new Quantity(cpuLimit))) > 0 ? cpuLimit : s.cpuRequest();
        List<VolumeMount> mounts = new ArrayList<>(List.of(
                mount("work", WORK_DIR, false), mount("tmp", "/tmp", false), mount("manifest", MANIFEST_DIR, true)));
        if (store.pvc != null) {
            mounts.add(new VolumeMountBuilder().withName("store").withMountPath(STORE_DIR)
                    .withSubPath(store.pvc.subPath).build());
        }
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(si.getSpec().builderImage != null ? si.getSpec().builderImage : s.builderImage())
                .withImagePullPolicy(s.imagePullPolicy())
                .withCommand(command)
                .withEnv(env(v, store))
                .withWorkingDir(WORK_DIR)
                .withTerminationMessagePath(TERMINATION_LOG)
                // A builder that dies before writing its summary still leaves its last log lines.
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewResources()
                .addToRequests("cpu", new Quantity(cpuRequest))
                .addToRequests("memory", new Quantity(s.memoryRequest()))
                .addToLimits("cpu", new Quantity(cpuLimit))
                .addToLimits("memory", new Quantity(s.memoryLimit()))
                .endResources()
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities().withDrop("ALL").withAdd(s.addCapabilities()).endCapabilities()
                .endSecurityContext()
                .withVolumeMounts(mounts)
                .build();
    }

    private static List<EnvVar> env(VariationSet v, ArtifactStore store) {
        List<EnvVar> env = new ArrayList<>();
        v.env().forEach((k, val) -> {
            if (val != null) {
                env.add(new EnvVar(k, val, null));
            }
        });
        env.add(new EnvVar("TWINBUILD_UMASK", v.umask(), null));
        env.add(new EnvVar("TMPDIR", "/tmp", null));
        if (store.s3 != null && store.s3.credentialsSecret != null) {
            env.add(secretEnv(S3Credentials.ACCESS_KEY_ENV, store.s3.credentialsSecret, "accessKeyId"));
            env.add(secretEnv(S3Credentials.SECRET_KEY_ENV, store.s3.credentialsSecret, "secretAccessKey"));
        }
        return env;
    }

    private static EnvVar secretEnv(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name).withNewValueFrom()
                .withNewSecretKeyRef().withName(secret).withKey(key).endSecretKeyRef()
                .endValueFrom().build();
    }

    private static List<Volume> volumes(SystemImage si, String specHash, ArtifactStore store, OperatorSettings s) {
        List<Volume> volumes = new ArrayList<>(List.of(
                new VolumeBuilder().withName("work").withNewEmptyDir().withSizeLimit(new Quantity(s.workSizeLimit()))
                        .endEmptyDir().build(),
                new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("1Gi"))
                        .endEmptyDir().build(),
                new VolumeBuilder().withName("manifest").withNewConfigMap()
                        .withName(Names.configMap(si.getMetadata().getName(), specHash)).endConfigMap().build()));
        if (store.pvc != null) {
            volumes.add(new VolumeBuilder().withName("store").withNewPersistentVolumeClaim()
                    .withClaimName(store.pvc.claimName).endPersistentVolumeClaim().build());
        }
        return volumes;
    }

    private static VolumeMount mount(String name, String path, boolean readOnly) {
        return new VolumeMountBuilder().withName(name).withMountPath(path).withReadOnly(readOnly).build();
    }
}
