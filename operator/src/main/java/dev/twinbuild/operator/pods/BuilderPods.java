package dev.twinbuild.operator.pods;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.store.GrantIssuer;
import dev.twinbuild.store.Stores;
import dev.twinbuild.store.UploadGrants;
import dev.twinbuild.verify.VariationSet;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
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
 * <p>
 * Two containers, because build steps are hostile: the init container {@value #CONTAINER} runs the
 * pipeline (steps are its subprocesses) and sees nothing of the store — no grants, no store volume — and
 * leaves its outputs in the {@value #OUT_DIR} emptyDir. When it has ended, and with it every process a
 * step left behind (its PID namespace goes with it), the container {@value #UPLOAD_CONTAINER} — always
 * the operator's configured image, whatever {@code spec.builderImage} says — re-hashes and uploads them
 * through the grants and reports to the operator.
 */
public final class BuilderPods {
    /** The init container that builds (spec.builderImage when the policy allows one). */
    public static final String CONTAINER = "build";
    /** The container that uploads: the operator's own image, the only one that mounts the store. */
    public static final String UPLOAD_CONTAINER = "upload";
    public static final String OUT_DIR = "/out";
    public static final String MANIFEST_DIR = "/etc/twinbuild/manifest";
    public static final String WORK_DIR = "/work";
    public static final String STORE_DIR = "/store";
    public static final String GRANTS_DIR = "/etc/twinbuild/grants";
    public static final String TERMINATION_LOG = "/dev/termination-log";

    private BuilderPods() {
    }

    /**
     * Adds a preference (not a requirement: a small cluster may have no other node) for nodes other than
     * {@code node}, so that a re-verification runs where the round before did not.
     */
    public static void preferOtherNode(Pod pod, String node) {
        pod.getSpec().getAffinity().setNodeAffinity(new io.fabric8.kubernetes.api.model.NodeAffinityBuilder()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(100)
                .withNewPreference().addNewMatchExpression().withKey("kubernetes.io/hostname")
                .withOperator("NotIn").withValues(node).endMatchExpression().endPreference()
                .endPreferredDuringSchedulingIgnoredDuringExecution().build());
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
                // Steps must not see the upload container's processes (their command lines, /proc/N/root).
                .withShareProcessNamespace(false)
                .withServiceAccountName(s.serviceAccount())
                .withHostname(v.hostname())
                .withSubdomain(v.domain())
                .withActiveDeadlineSeconds((long) timeout)
                // A build on a node that stops answering is evicted after lostPodGrace, not the default 300 s:
                // it is then force-deleted and run again elsewhere (BuildTracker), or the status names the node.
                .addNewToleration().withKey("node.kubernetes.io/unreachable").withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(s.lostPodGrace().toSeconds()).endToleration()
                .addNewToleration().withKey("node.kubernetes.io/not-ready").withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(s.lostPodGrace().toSeconds()).endToleration()
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
                .withInitContainers(buildContainer(si, v, s))
                .withContainers(uploadContainer(si, specHash, v, store, s))
                .withVolumes(volumes(si, specHash, v, store, s))
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

    /** The container that runs the pipeline (an init container of the pod). */
    public static Container buildContainer(Pod pod) {
        return pod.getSpec().getInitContainers().stream().filter(c -> CONTAINER.equals(c.getName())).findFirst()
                .orElseThrow();
    }

    private static Container buildContainer(SystemImage si, VariationSet v, OperatorSettings s) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
                // umask is process state: only a shell in front of the CLI can set it.
                "umask \"$TWINBUILD_UMASK\" && exec \"$@\"", "twinbuild-builder"));
        command.addAll(s.builderCommand());
        command.add("pod-build");
        command.addAll(List.of(
                "--manifest", MANIFEST_DIR + "/" + ManifestConfigMap.KEY,
                "--work", WORK_DIR,
                "--out", OUT_DIR,
                "--build-path", v.buildPath(),
                "--clock-offset", Long.toString(v.clockOffsetSeconds()),
                "--dir-order", v.dirOrder().name(),
                "--termination-log", TERMINATION_LOG));
        if (v.cpus() != null) {
            command.addAll(List.of("--threads", Integer.toString(v.cpus())));
        }
        v.applied().forEach((k, val) -> command.addAll(List.of("--variation", k.name() + "=" + val)));
        return container(CONTAINER, si.getSpec().builderImage != null ? si.getSpec().builderImage : s.builderImage(),
                command, env(v), v, s, s.addCapabilities())
                .withWorkingDir(WORK_DIR)
                .withVolumeMounts(mount("work", WORK_DIR, false), mount("tmp", "/tmp", false),
                        mount("out", OUT_DIR, false), mount("manifest", MANIFEST_DIR, true))
                .build();
    }

    private static Container uploadContainer(SystemImage si, String specHash, VariationSet v, ArtifactStore store,
                                             OperatorSettings s) {
        List<String> command = new ArrayList<>(s.builderCommand());
        command.add("pod-upload");
        command.addAll(List.of(
                "--manifest", MANIFEST_DIR + "/" + ManifestConfigMap.KEY,
                "--from", OUT_DIR,
                "--termination-log", TERMINATION_LOG));
        List<VolumeMount> mounts = new ArrayList<>(List.of(
                mount("upload-tmp", "/tmp", false), mount("out", OUT_DIR, true), mount("manifest", MANIFEST_DIR, true)));
        if (store.s3 != null) {
            // Presigned requests for this build's keys only: the pod holds no store credentials.
            command.addAll(List.of("--grants", GRANTS_DIR + "/" + UploadGrants.FILE));
            mounts.add(mount("grants", GRANTS_DIR, true));
        } else {
            command.addAll(List.of("--pvc-claim", store.pvc.claimName, "--pvc-mount", STORE_DIR,
                    "--store-prefix", Stores.buildPrefix(store, si.getMetadata().getNamespace(),
                            si.getMetadata().getName(), specHash, v.index())));
            if (store.pvc.subPath != null) {
                command.addAll(List.of("--pvc-sub-path", store.pvc.subPath));
            }
            mounts.add(new VolumeMountBuilder().withName("store").withMountPath(STORE_DIR)
                    .withSubPath(store.pvc.subPath).build());
        }
        // The operator's image, never spec.builderImage: this container holds the grants.
        return container(UPLOAD_CONTAINER, s.builderImage(), command, List.of(new EnvVar("TMPDIR", "/tmp", null)), v, s,
                List.of())
                .withWorkingDir(OUT_DIR)
                .withVolumeMounts(mounts)
                .build();
    }

    /**
     * What both containers share. The same resources for both cost nothing: a pod's effective request is
     * the larger of its init containers' and the sum of its containers'.
     */
    private static ContainerBuilder container(String name, String image, List<String> command, List<EnvVar> env,
                                              VariationSet v, OperatorSettings s, List<String> addCapabilities) {
        String cpuLimit = v.cpus() != null ? Integer.toString(v.cpus()) : s.cpuLimit();
        String cpuRequest = Quantity.getAmountInBytes(new Quantity(s.cpuRequest()))
                .compareTo(Quantity.getAmountInBytes(new Quantity(cpuLimit))) > 0 ? cpuLimit : s.cpuRequest();
        return new ContainerBuilder()
                .withName(name)
                .withImage(image)
                .withImagePullPolicy(s.imagePullPolicy())
                .withCommand(command)
                .withEnv(env)
                .withTerminationMessagePath(TERMINATION_LOG)
                // A container that dies before writing its summary still leaves its last log lines.
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
                .withNewCapabilities().withDrop("ALL").withAdd(addCapabilities).endCapabilities()
                .endSecurityContext();
    }

    private static List<EnvVar> env(VariationSet v) {
        List<EnvVar> env = new ArrayList<>();
        v.env().forEach((k, val) -> {
            if (val != null) {
                env.add(new EnvVar(k, val, null));
            }
        });
        env.add(new EnvVar("TWINBUILD_UMASK", v.umask(), null));
        env.add(new EnvVar("TMPDIR", "/tmp", null));
        return env;
    }

    private static List<Volume> volumes(SystemImage si, String specHash, VariationSet v, ArtifactStore store,
                                        OperatorSettings s) {
        List<Volume> volumes = new ArrayList<>(List.of(
                new VolumeBuilder().withName("work").withNewEmptyDir().withSizeLimit(new Quantity(s.workSizeLimit()))
                        .endEmptyDir().build(),
                new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("1Gi"))
                        .endEmptyDir().build(),
                // The hand-off from the build to the upload container; outputs are as large as the work.
                new VolumeBuilder().withName("out").withNewEmptyDir().withSizeLimit(new Quantity(s.workSizeLimit()))
                        .endEmptyDir().build(),
                // Not the build's /tmp: nothing a step left there reaches the upload container.
                new VolumeBuilder().withName("upload-tmp").withNewEmptyDir().withSizeLimit(new Quantity("64Mi"))
                        .endEmptyDir().build(),
                new VolumeBuilder().withName("manifest").withNewConfigMap()
                        .withName(Names.configMap(si.getMetadata().getName(), specHash)).endConfigMap().build()));
        if (store.pvc != null) {
            volumes.add(new VolumeBuilder().withName("store").withNewPersistentVolumeClaim()
                    .withClaimName(store.pvc.claimName).endPersistentVolumeClaim().build());
        } else {
            // Created by the operator right after the pod, owned by it: the kubelet waits for it.
            volumes.add(new VolumeBuilder().withName("grants").withNewSecret()
                    .withSecretName(GrantIssuer.secretName(Names.pod(si.getMetadata().getName(), specHash, v.index())))
                    .withDefaultMode(0440).withOptional(false).endSecret().build());
        }
        return volumes;
    }

    private static VolumeMount mount(String name, String path, boolean readOnly) {
        return new VolumeMountBuilder().withName(name).withMountPath(path).withReadOnly(readOnly).build();
    }
}
