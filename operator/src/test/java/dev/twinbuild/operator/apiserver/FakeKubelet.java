package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.pods.BuilderPods;
import dev.twinbuild.operator.pods.Names;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Plays scheduler and kubelet on a bare API server: binds pods to fake nodes (honouring the builds'
 * anti-affinity, as the real scheduler must) and writes the pod status a kubelet would.
 */
final class FakeKubelet {
    private final KubernetesClient client;
    private final String namespace;

    FakeKubelet(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    void nodes(String... names) {
        for (String n : names) {
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(n)
                    .addToLabels("kubernetes.io/hostname", n).endMetadata().build()).createOr(x -> x.update());
        }
    }

    /** Binds the pod to the first node that holds no pod of the same spec (required anti-affinity). */
    String schedule(String pod, List<String> nodes) {
        Pod p = client.pods().inNamespace(namespace).withName(pod).get();
        String hash = p.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH);
        List<String> taken = client.pods().inNamespace(namespace).withLabel(Names.LABEL_SPEC_HASH, hash).list()
                .getItems().stream().map(x -> x.getSpec().getNodeName()).filter(Objects::nonNull).toList();
        String node = nodes.stream().filter(n -> !taken.contains(n)).findFirst()
                .orElseThrow(() -> new AssertionError("no node left for " + pod));
        client.bindings().inNamespace(namespace).resource(new BindingBuilder().withNewMetadata().withName(pod)
                .endMetadata().withNewTarget().withKind("Node").withApiVersion("v1").withName(node).endTarget()
                .build()).create();
        return node;
    }

    void run(String pod) {
        String now = Instant.now().toString();
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
            p.getStatus().setPhase("Running");
            p.getStatus().setStartTime(now);
            p.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName(BuilderPods.CONTAINER)
                    .withImage("builder").withImageID("").withReady(true).withRestartCount(0)
                    .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build()));
            return p;
        });
    }

    void terminate(String pod, int exitCode, String message) {
        String now = Instant.now().toString();
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
            p.getStatus().setPhase(exitCode == 0 ? "Succeeded" : "Failed");
            p.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName(BuilderPods.CONTAINER)
                    .withImage("builder").withImageID("").withReady(false).withRestartCount(0)
                    .withNewState().withNewTerminated().withExitCode(exitCode)
                    .withReason(exitCode == 0 ? "Completed" : "Error").withMessage(message)
                    .withStartedAt(p.getStatus().getStartTime()).withFinishedAt(now).endTerminated().endState()
                    .build()));
            return p;
        });
    }

    void unschedulable(String pod, Instant since) {
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
            p.getStatus().setConditions(List.of(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
                    .withReason("Unschedulable").withLastTransitionTime(since.toString())
                    .withMessage("0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.")
                    .build()));
            return p;
        });
    }
}
