package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.CheckStatus;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.CheckPods;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.status.Conditions;
import dev.twinbuild.operator.store.BuildLayout;
import dev.twinbuild.operator.store.S3ProxyExtension;
import dev.twinbuild.store.BuildSummary;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A check pod (read-back or diagnosis) whose container cannot start is named in the status within a
 * minute, by the rule builder pods follow (PodFailures) — not left to its activeDeadlineSeconds. Real
 * kube-apiserver; the test plays scheduler and kubelet (FakeKubelet); s3proxy is the store.
 */
class CheckPodFailuresIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final KubeApi API = KubeApi.namespacePerTest("cpf");
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();
    @RegisterExtension
    final RunningOperator operator = new RunningOperator(API);

    private String ns;
    private FakeKubelet kubelet;

    @BeforeEach
    void start() {
        ns = API.namespace();
        kubelet = new FakeKubelet(API.client(), ns);
        kubelet.nodes("node-a", "node-b", "node-c");
        operator.start(OperatorSettings.defaults()
                .withTiming(3, Duration.ofSeconds(1), Duration.ofSeconds(2)).withDefaultStore(S3.store()),
                new SimpleMeterRegistry(), 1L << 20);
    }

    @Test
    void aReadBackPodThatCannotPullItsImageStalls() {
        Pod check = buildAndAwaitCheck("rb", "same", "same");
        String message = "rpc error: code = NotFound desc = failed to pull and unpack image \"registry.example/"
                + "twinbuild/builder:gone\": not found";
        kubelet.schedule(check.getMetadata().getName(), List.of("node-c"));
        kubelet.waiting(check.getMetadata().getName(), CheckPods.CONTAINER, "ErrImagePull", message);

        SystemImageStatus s = awaitStalled("rb", "ErrImagePull", check);
        assertThat(s.phase).isEqualTo(Phase.Building);
        assertThat(condition(s, Conditions.STALLED).getMessage())
                .contains("read-back check", check.getMetadata().getName(), "node-c", message);
        assertThat(condition(s, Conditions.RECONCILING).getStatus()).isEqualTo("False");
        assertThat(condition(s, Conditions.READY).getStatus()).isEqualTo("False");
        assertThat(s.check.phase).isNotEqualTo(BuildPhase.Failed); // may still be pulled: a person fixes the registry
    }

    @Test
    void aDiagnosisPodThatCannotStartStallsAndTheVerdictStands() {
        Pod check = buildAndAwaitCheck("diag", "left", "right");
        assertThat(status("diag").phase).isEqualTo(Phase.Unreproducible);
        String message = "Back-off pulling image \"registry.example/twinbuild/builder:gone\"";
        kubelet.schedule(check.getMetadata().getName(), List.of("node-c"));
        kubelet.waiting(check.getMetadata().getName(), CheckPods.CONTAINER, "ImagePullBackOff", message);

        SystemImageStatus s = awaitStalled("diag", "ImagePullBackOff", check);
        assertThat(s.phase).isEqualTo(Phase.Unreproducible);
        assertThat(s.check.purpose).isEqualTo(CheckStatus.DIAGNOSIS);
        assertThat(condition(s, Conditions.STALLED).getMessage())
                .contains("diagnosis check", check.getMetadata().getName(), message, "Verdict: outputs differ");
        assertThat(condition(s, Conditions.REPRODUCIBLE).getStatus()).isEqualTo("False");
    }

    @Test
    void aCheckPodWithAMissingSecretOrAnInvalidImageIsNamed() {
        Pod check = buildAndAwaitCheck("cfg", "same", "same");
        kubelet.schedule(check.getMetadata().getName(), List.of("node-c"));
        kubelet.waiting(check.getMetadata().getName(), CheckPods.CONTAINER, "CreateContainerConfigError",
                "secret \"cfg-x-chk-grants\" not found");
        awaitStalled("cfg", "CreateContainerConfigError", check);

        // An image reference no retry can cure: the check fails at once, its pod is removed.
        kubelet.waiting(check.getMetadata().getName(), CheckPods.CONTAINER, "InvalidImageName",
                "Failed to apply default image tag \"Registry.Example/Builder\": invalid reference format");
        Poll.until(WAIT, () -> status("cfg").phase == Phase.Failed);
        SystemImageStatus s = status("cfg");
        assertThat(condition(s, Conditions.STALLED).getReason()).isEqualTo("InvalidImageName");
        assertThat(condition(s, Conditions.STALLED).getMessage()).contains("invalid reference format");
        assertThat(s.check.phase).isEqualTo(BuildPhase.Failed);
        // Deleted (with no kubelet to confirm it, a bound pod stays Terminating here).
        Poll.until(WAIT, () -> {
            Pod p = API.client().pods().inNamespace(ns).withName(check.getMetadata().getName()).get();
            return p == null || p.getMetadata().getDeletionTimestamp() != null;
        });
    }

    /**
     * Ends both builds with the summaries their upload containers would write (outputs at the keys the
     * operator granted; the digest from {@code content}) and returns the check pod that follows.
     */
    private Pod buildAndAwaitCheck(String name, String content0, String content1) {
        SystemImage si = Fixtures.systemImage(name, 2);
        si.getMetadata().setNamespace(ns);
        si.getMetadata().setUid(null);
        si.getMetadata().setGeneration(null);
        si = API.client().resource(si).create();
        Poll.until(WAIT, () -> builderPods(name).size() == 2);
        List<Pod> pods = builderPods(name);
        String[] contents = {content0, content1};
        for (int i = 0; i < 2; i++) {
            Pod pod = pods.get(i);
            String podName = pod.getMetadata().getName();
            kubelet.schedule(podName, List.of("node-a", "node-b"));
            kubelet.run(podName);
            BuildLayout layout = BuildLayout.of(si, pod.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH),
                    S3.store(), i);
            String content = contents[i];
            List<BuildSummary.Output> outputs = new ArrayList<>();
            layout.outputs().forEach((file, key) -> outputs.add(new BuildSummary.Output(
                    file.endsWith(".gz") ? "tar.gz" : "tar", file,
                    dev.twinbuild.store.Sha256.hex((file + content).getBytes(StandardCharsets.UTF_8)), 10,
                    layout.location(key))));
            kubelet.terminate(podName, 0, BuildSummary.success(outputs, layout.recordLocation()).toTerminationMessage());
        }
        Poll.until(WAIT, () -> API.client().pods().inNamespace(ns).withName(Names.checkPod(name,
                builderPods(name).get(0).getMetadata().getLabels().get(Names.LABEL_SPEC_HASH))).get() != null);
        return API.client().pods().inNamespace(ns).withLabel(Names.LABEL_IMAGE, name)
                .withLabel(Names.LABEL_COMPONENT, "check").list().getItems().get(0);
    }

    private List<Pod> builderPods(String image) {
        return API.client().pods().inNamespace(ns).withLabel(Names.LABEL_IMAGE, image)
                .withLabel(Names.LABEL_COMPONENT, "builder").list().getItems().stream()
                .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName())).toList();
    }

    private SystemImageStatus status(String name) {
        SystemImage si = API.client().resources(SystemImage.class).inNamespace(ns).withName(name).get();
        return si.getStatus() == null ? new SystemImageStatus() : si.getStatus();
    }

    /** Stalled with the kubelet's reason, within 60 s of the check pod's creation (the bound). */
    private SystemImageStatus awaitStalled(String name, String reason, Pod check) {
        Poll.until(WAIT, () -> reason.equals(Conditions.reason(status(name).conditions, Conditions.STALLED))
                && "True".equals(Conditions.status(status(name).conditions, Conditions.STALLED)));
        Duration sinceCreation = Duration.between(Instant.parse(check.getMetadata().getCreationTimestamp()),
                Instant.now());
        System.out.println("figure: " + reason + " of a check pod: pod creation -> Stalled in status "
                + sinceCreation.toMillis() + " ms");
        assertThat(sinceCreation).isLessThan(Duration.ofSeconds(60));
        return status(name);
    }

    private static Condition condition(SystemImageStatus s, String type) {
        return s.conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }
}
