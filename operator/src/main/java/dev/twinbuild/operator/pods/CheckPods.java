package dev.twinbuild.operator.pods;

import dev.twinbuild.check.CheckRequest;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.store.GrantIssuer;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The check pod of one generation: it reads the stored outputs back and diagnoses a mismatch (unsquashfs,
 * debugfs, diffoscope) — the data-plane work the operator never does in its own process. Made from the
 * operator's builder image (not a tenant's), in the SystemImage's namespace, hardened like a builder pod
 * (no token, no capabilities, read-only root, RuntimeDefault seccomp, non-root), with bounded CPU, memory
 * and ephemeral storage, and its own scratch volumes: two checks never share state.
 */
public final class CheckPods {
    public static final String CONTAINER = "check";
    public static final String REQUEST_DIR = "/etc/twinbuild/check";
    public static final String SCRATCH_DIR = "/scratch";

    private CheckPods() {
    }

    /** @param purpose ReadBack or Diagnosis, as a label (for people and dashboards) */
    public static Pod desired(SystemImage si, String specHash, String purpose, OperatorSettings s, int attempt) {
        String name = si.getMetadata().getName();
        Map<String, String> labels = Names.generationLabels(name, specHash);
        labels.put(Names.LABEL_COMPONENT, "check");
        labels.put(Names.LABEL_CHECK, purpose.toLowerCase(java.util.Locale.ROOT));
        String pod = Names.checkPod(name, specHash);
        int timeout = si.getSpec().verificationOrDefault().timeoutOrDefault();

        List<String> command = new ArrayList<>(s.builderCommand());
        command.addAll(List.of("pod-check", "--request", REQUEST_DIR + "/" + CheckRequest.FILE,
                "--scratch", SCRATCH_DIR, "--termination-log", BuilderPods.TERMINATION_LOG,
                // diffoscope gets half the deadline: the rest is for reading back and storing reports.
                "--diffoscope-timeout", Integer.toString(Math.max(60, timeout / 2))));
        return new PodBuilder()
                .withNewMetadata()
                .withName(pod)
                .withNamespace(si.getMetadata().getNamespace())
                .withLabels(labels)
                .addToAnnotations(Names.ANNOTATION_ATTEMPT, Integer.toString(attempt))
                .withOwnerReferences(BuilderPods.ownerReference(si))
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withServiceAccountName(s.serviceAccount())
                .withActiveDeadlineSeconds((long) timeout)
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(s.runAsUser())
                .withRunAsGroup(s.runAsGroup())
                .withFsGroup(s.runAsGroup())
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(new ContainerBuilder()
                        .withName(CONTAINER)
                        .withImage(s.builderImage())
                        .withImagePullPolicy(s.imagePullPolicy())
                        .withCommand(command)
                        .withEnv(new EnvVar("TMPDIR", "/tmp", null), new EnvVar("HOME", "/tmp", null))
                        .withWorkingDir(SCRATCH_DIR)
                        .withTerminationMessagePath(BuilderPods.TERMINATION_LOG)
                        .withTerminationMessagePolicy("FallbackToLogsOnError")
                        .withNewResources()
                        .addToRequests("cpu", new Quantity(s.cpuRequest()))
                        .addToRequests("memory", new Quantity(s.memoryRequest()))
                        .addToRequests("ephemeral-storage", new Quantity("1Gi"))
                        .addToLimits("cpu", new Quantity(s.cpuLimit()))
                        .addToLimits("memory", new Quantity(s.memoryLimit()))
                        // Both sides of the largest output, the reports and /tmp: the scratch bound holds them.
                        .addToLimits("ephemeral-storage", new Quantity(s.workSizeLimit()))
                        .endResources()
                        .withNewSecurityContext()
                        .withAllowPrivilegeEscalation(false)
                        .withReadOnlyRootFilesystem(true)
                        .withRunAsNonRoot(true)
                        .withNewCapabilities().withDrop("ALL").endCapabilities()
                        .endSecurityContext()
                        .withVolumeMounts(
                                new VolumeMountBuilder().withName("scratch").withMountPath(SCRATCH_DIR).build(),
                                new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build(),
                                new VolumeMountBuilder().withName("request").withMountPath(REQUEST_DIR)
                                        .withReadOnly(true).build())
                        .build())
                .withVolumes(
                        new VolumeBuilder().withName("scratch").withNewEmptyDir()
                                .withSizeLimit(new Quantity(s.workSizeLimit())).endEmptyDir().build(),
                        new VolumeBuilder().withName("tmp").withNewEmptyDir()
                                .withSizeLimit(new Quantity("1Gi")).endEmptyDir().build(),
                        // Created by the operator right after the pod, owned by it: the kubelet waits for it.
                        new VolumeBuilder().withName("request").withNewSecret()
                                .withSecretName(GrantIssuer.secretName(pod))
                                .withDefaultMode(0440).withOptional(false).endSecret().build())
                .endSpec()
                .build();
    }
}
