package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.BuilderPods;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.status.Conditions;
import dev.twinbuild.operator.policy.TenantPolicy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failures a person must fix are named in the SystemImage's status within seconds, from what the kubelet,
 * the scheduler and the API server say — never a silent `Building` until the timeout. The test plays
 * kubelet, scheduler and node lifecycle controller (FakeKubelet) against a real kube-apiserver.
 */
class PodFailuresIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final KubeApi API = KubeApi.namespacePerTest("pf");
    @RegisterExtension
    static final Figures FIGURES = new Figures("twinbuild-figures-pod-failures.txt", "PodFailuresIT");
    @RegisterExtension
    final RunningOperator operator = new RunningOperator(API);

    private String ns;
    private FakeKubelet kubelet;

    @BeforeEach
    void start() {
        ns = API.namespace();
        kubelet = new FakeKubelet(API.client(), ns);
        kubelet.nodes("node-a", "node-b", "node-c");
        operator.start(OperatorSettings.defaults().withTiming(3, Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withLostPodGrace(Duration.ofSeconds(2))
                // These tests name their own builder images (unpullable, invalid) and a PVC store.
                .withPolicy(new TenantPolicy(List.of("*"), false, List.of(), true, List.of())),
                new SimpleMeterRegistry(), 1L << 20);
    }

    private SystemImage create(String name, String builderImage) {
        SystemImage si = Fixtures.systemImage(name, 2);
        si.getMetadata().setNamespace(ns);
        si.getMetadata().setUid(null);
        si.getMetadata().setGeneration(null);
        si.getSpec().store = Fixtures.pvcStore();
        si.getSpec().builderImage = builderImage;
        return API.client().resource(si).create();
    }

    private List<Pod> awaitPods(String image, int n) {
        Poll.until(WAIT, () -> pods(image).size() == n);
        return pods(image);
    }

    private List<Pod> pods(String image) {
        return API.client().pods().inNamespace(ns).withLabel(Names.LABEL_IMAGE, image).list().getItems().stream()
                .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName())).toList();
    }

    private SystemImageStatus status(String name) {
        SystemImage si = API.client().resources(SystemImage.class).inNamespace(ns).withName(name).get();
        return si.getStatus() == null ? new SystemImageStatus() : si.getStatus();
    }

    private static Condition condition(SystemImageStatus s, String type) {
        return s.conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }

    private SystemImageStatus awaitStalled(String name, String reason) {
        Poll.until(WAIT, () -> reason.equals(Conditions.reason(status(name).conditions, Conditions.STALLED))
                && "True".equals(Conditions.status(status(name).conditions, Conditions.STALLED)));
        return status(name);
    }

    @Test
    void containersThatCannotStartStallWithTheKubeletsReasonAndMessage() {
        Map<String, String> cases = Map.of(
                "ErrImagePull", "rpc error: code = NotFound desc = failed to pull and unpack image "
                        + "\"registry.example/twinbuild/builder:nope\": not found",
                "ImagePullBackOff", "Back-off pulling image \"registry.example/twinbuild/builder:nope\"",
                "CreateContainerConfigError", "secret \"s3-credentials\" not found",
                "CreateContainerError", "failed to reserve container name");
        int i = 0;
        for (var c : new java.util.TreeMap<>(cases).entrySet()) {
            String name = "cannot-start-" + i++;
            create(name, null);
            Pod pod = awaitPods(name, 2).get(0);
            String podName = pod.getMetadata().getName();
            kubelet.schedule(podName, List.of("node-a", "node-b"));
            kubelet.waiting(podName, c.getKey(), c.getValue());
            SystemImageStatus s = awaitStalled(name, c.getKey());
            Duration sinceCreation = Duration.between(Instant.parse(pod.getMetadata().getCreationTimestamp()),
                    Instant.now());
            FIGURES.add(c.getKey() + ": pod creation -> Stalled in status: " + sinceCreation.toMillis() + " ms");
            assertThat(sinceCreation).isLessThan(Duration.ofSeconds(60));
            assertThat(condition(s, "Stalled").getMessage()).contains("b0", podName, "node-", c.getValue());
            assertThat(condition(s, "Reconciling").getStatus()).isEqualTo("False");
            assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
            assertThat(s.phase).isEqualTo(Phase.Pending);
        }
        // Fixed (the image pushed, the Secret created): the container starts and the stall clears.
        String recovered = pods("cannot-start-2").get(0).getMetadata().getName();
        kubelet.run(recovered);
        Poll.until(WAIT, () -> "False".equals(Conditions.status(status("cannot-start-2").conditions, Conditions.STALLED)));
        assertThat(status("cannot-start-2").phase).isEqualTo(Phase.Building);
        Poll.until(WAIT, () -> API.client().v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "ErrImagePull".equals(e.getReason()) && "Warning".equals(e.getType())));
    }

    @Test
    void anInvalidImageNameFailsTheImage() {
        create("bad-ref", "Registry.Example/UPPER:case");
        Pod pod = awaitPods("bad-ref", 2).get(0);
        kubelet.schedule(pod.getMetadata().getName(), List.of("node-a", "node-b"));
        kubelet.waiting(pod.getMetadata().getName(), "InvalidImageName",
                "Failed to apply default image tag \"Registry.Example/UPPER:case\": couldn't parse image name");
        Poll.until(WAIT, () -> status("bad-ref").phase == Phase.Failed);
        SystemImageStatus s = status("bad-ref");
        assertThat(condition(s, "Stalled").getReason()).isEqualTo("InvalidImageName");
        assertThat(condition(s, "Stalled").getMessage()).contains("couldn't parse image name");
        assertThat(s.builds.get(0).failure.reason).isEqualTo("InvalidImageName");
        assertThat(s.builds.get(1).failure.reason).isEqualTo("Cancelled");
    }

    @Test
    void aPodNoNodeCanHoldStallsWithTheSchedulersMessage() {
        create("too-big", null);
        Pod pod = awaitPods("too-big", 2).get(0);
        kubelet.unschedulable(pod.getMetadata().getName(), Instant.now().minusSeconds(5),
                "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available.");
        SystemImageStatus s = awaitStalled("too-big", "Unschedulable");
        assertThat(condition(s, "Stalled").getMessage()).contains("b0", "3 Insufficient memory")
                .doesNotContain("anti-affinity");
    }

    @Test
    void aQuotaRefusingBuilderPodsStallsUntilItIsLifted() {
        ResourceQuota quota = API.client().resourceQuotas().inNamespace(ns).resource(new ResourceQuotaBuilder()
                .withNewMetadata().withName("no-pods").endMetadata()
                .withNewSpec().addToHard("pods", new Quantity("0")).endSpec().build()).create();
        // The quota controller (absent from a bare API server) would write this.
        quota.setStatus(new io.fabric8.kubernetes.api.model.ResourceQuotaStatusBuilder()
                .addToHard("pods", new Quantity("0")).addToUsed("pods", new Quantity("0")).build());
        API.client().resourceQuotas().inNamespace(ns).resource(quota).updateStatus();

        create("quota", null);
        SystemImageStatus s = awaitStalled("quota", "QuotaExceeded");
        assertThat(condition(s, "Stalled").getMessage()).contains("exceeded quota", "no-pods", "pods");
        assertThat(pods("quota")).isEmpty();

        API.client().resourceQuotas().inNamespace(ns).withName("no-pods").delete();
        awaitPods("quota", 2);
        Poll.until(WAIT, () -> "False".equals(Conditions.status(status("quota").conditions, Conditions.STALLED)));
    }

    @Test
    void aPodTheApiServerRejectsFailsTheImageWithItsMessage() {
        create("rejected", "registry.example/twinbuild/builder:1 ");
        Poll.until(WAIT, () -> status("rejected").phase == Phase.Failed);
        SystemImageStatus s = status("rejected");
        assertThat(condition(s, "Stalled").getReason()).isEqualTo("Invalid");
        assertThat(condition(s, "Stalled").getMessage()).contains("HTTP 422", "image", "whitespace");
        assertThat(pods("rejected")).isEmpty();
    }

    @Test
    void aPodStuckTerminatingOnANotReadyNodeIsRebuiltElsewhere() {
        create("orphan", null);
        List<Pod> pods = awaitPods("orphan", 2);
        String lost = pods.get(0).getMetadata().getName();
        String uid = pods.get(0).getMetadata().getUid();
        String node = kubelet.schedule(lost, List.of("node-a", "node-b"));
        kubelet.schedule(pods.get(1).getMetadata().getName(), List.of("node-a", "node-b"));
        pods.forEach(p -> kubelet.run(p.getMetadata().getName()));
        Poll.until(WAIT, () -> status("orphan").phase == Phase.Building);

        // The node dies; the taint manager deletes its pods, and no kubelet is left to confirm.
        kubelet.notReady(node);
        kubelet.evict(lost, 1);
        Instant evicted = Instant.now();
        Poll.until(WAIT, () -> {
            Pod p = API.client().pods().inNamespace(ns).withName(lost).get();
            return p != null && !p.getMetadata().getUid().equals(uid);
        });
        FIGURES.add("pod Terminating on a NotReady node (grace 1s + lostPodGrace 2s) -> replaced: "
                + Duration.between(evicted, Instant.now()).toMillis() + " ms");
        Pod replacement = API.client().pods().inNamespace(ns).withName(lost).get();
        assertThat(replacement.getMetadata().getAnnotations()).containsEntry(Names.ANNOTATION_ATTEMPT, "2");
        assertThat(replacement.getSpec().getNodeName()).isNull();
        Poll.until(WAIT, () -> Integer.valueOf(2).equals(status("orphan").builds.get(0).attempts));
        var failure = status("orphan").builds.get(0).failure;
        assertThat(failure.reason).isEqualTo("PodLost");
        assertThat(failure.message).contains(lost, "stuck terminating", "node " + node, "NotReady",
                "Kubelet stopped posting node status");
        String other = kubelet.schedule(lost, List.of("node-a", "node-b", "node-c"));
        assertThat(other).isNotEqualTo(node);
    }

    @Test
    void theNamespacesPullSecretsAreMountedIntoBuilderPodsByName() {
        API.client().serviceAccounts().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                .withNewMetadata().withName("default").endMetadata()
                .addNewImagePullSecret("team-registry").addNewImagePullSecret("docker-hub").build()).create();
        create("private-base", null);
        Pod pod = awaitPods("private-base", 2).get(0);
        assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getSecret() != null)
                .extracting(v -> v.getSecret().getSecretName() + ":" + v.getSecret().getOptional())
                .containsExactly("docker-hub:true", "team-registry:true");
        var builder = BuilderPods.buildContainer(pod); // the build pulls OCI layers, the upload does not
        assertThat(pod.getSpec().getContainers().get(0).getVolumeMounts())
                .noneMatch(m -> m.getMountPath().startsWith("/etc/twinbuild/registry-auth/"));
        assertThat(builder.getVolumeMounts()).filteredOn(m -> m.getMountPath().startsWith("/etc/twinbuild/registry-auth/"))
                .allSatisfy(m -> assertThat(m.getReadOnly()).isTrue()).hasSize(2);
        assertThat(builder.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("TWINBUILD_REGISTRY_AUTH");
            assertThat(e.getValue()).isEqualTo("/etc/twinbuild/registry-auth");
        });
    }
}
