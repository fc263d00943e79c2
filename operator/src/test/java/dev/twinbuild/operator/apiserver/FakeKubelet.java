package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.pods.BuilderPods;
import dev.twinbuild.operator.pods.Names;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
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
            ready(n);
        }
    }

    /**
     * Binds the pod to the first Ready node that holds no pod of the same spec (required anti-affinity; a
     * NotReady node carries the taints that keep the real scheduler off it).
     */
    String schedule(String pod, List<String> nodes) {
        Pod p = client.pods().inNamespace(namespace).withName(pod).get();
        String hash = p.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH);
        List<String> taken = client.pods().inNamespace(namespace).withLabel(Names.LABEL_SPEC_HASH, hash)
                .withLabel(Names.LABEL_IMAGE, p.getMetadata().getLabels().get(Names.LABEL_IMAGE)).list()
                .getItems().stream().map(x -> x.getSpec().getNodeName()).filter(Objects::nonNull).toList();
        String node = nodes.stream().filter(n -> !taken.contains(n)).filter(this::isReady).findFirst()
                .orElseThrow(() -> new AssertionError("no node left for " + pod));
        client.bindings().inNamespace(namespace).resource(new BindingBuilder().withNewMetadata().withName(pod)
                .endMetadata().withNewTarget().withKind("Node").withApiVersion("v1").withName(node).endTarget()
                .build()).create();
        return node;
    }

    private boolean isReady(String node) {
        var n = client.nodes().withName(node).get();
        return n != null && n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus()
                .getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The build (init) container runs; as a kubelet says it, the pod is still Pending. */
    void run(String pod) {
        String now = Instant.now().toString();
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
            p.getStatus().setPhase("Pending");
            p.getStatus().setStartTime(now);
            p.getStatus().setInitContainerStatuses(List.of(new ContainerStatusBuilder().withName(BuilderPods.CONTAINER)
                    .withImage("builder").withImageID("").withReady(false).withRestartCount(0)
                    .withNewState().withNewRunning().withStartedAt(now).endRunning().endState().build()));
            p.getStatus().setContainerStatuses(List.of(initializing()));
            return p;
        });
    }

    /**
     * Exit 0: the build and then the upload container ended, the message being the upload's summary. Else
     * the build container failed with that message, and the upload container never started.
     */
    void terminate(String pod, int exitCode, String message) {
        terminate(pod, BuilderPods.CONTAINER, exitCode, message);
    }

    void terminate(String pod, String container, int exitCode, String message) {
        String now = Instant.now().toString();
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
            p.getStatus().setPhase(exitCode == 0 ? "Succeeded" : "Failed");
            if (BuilderPods.CONTAINER.equals(container)) { // a builder pod: init container build, then upload
                String started = p.getStatus().getStartTime();
                p.getStatus().setInitContainerStatuses(List.of(terminated(BuilderPods.CONTAINER, exitCode,
                        exitCode == 0 ? "{\"outputs\":[]}" : message, started, now)));
                p.getStatus().setContainerStatuses(List.of(exitCode == 0
                        ? terminated(BuilderPods.UPLOAD_CONTAINER, 0, message, now, now) : initializing()));
            } else { // a check pod: one container
                p.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName(container)
                        .withImage("builder").withImageID("").withReady(false).withRestartCount(0)
                        .withNewState().withNewTerminated().withExitCode(exitCode)
                        .withReason(exitCode == 0 ? "Completed" : "Error").withMessage(message)
                        .withStartedAt(p.getStatus().getStartTime()).withFinishedAt(now).endTerminated().endState()
                        .build()));
            }
            return p;
        });
    }

    private static ContainerStatus terminated(String name, int exitCode, String message, String started, String now) {
        return new ContainerStatusBuilder().withName(name)
                .withImage("builder").withImageID("").withReady(false).withRestartCount(0)
                .withNewState().withNewTerminated().withExitCode(exitCode)
                .withReason(exitCode == 0 ? "Completed" : "Error").withMessage(message)
                .withStartedAt(started).withFinishedAt(now).endTerminated().endState()
                .build();
    }

    private static ContainerStatus initializing() {
        return new ContainerStatusBuilder().withName(BuilderPods.UPLOAD_CONTAINER)
                .withImage("builder").withImageID("").withReady(false).withRestartCount(0)
                .withNewState().withNewWaiting().withReason("PodInitializing").endWaiting().endState().build();
    }

    void unschedulable(String pod, Instant since) {
        unschedulable(pod, since, "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules.");
    }

    /** What the scheduler writes when no node fits. */
    void unschedulable(String pod, Instant since, String message) {
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
            p.getStatus().setConditions(List.of(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
                    .withReason("Unschedulable").withLastTransitionTime(since.toString())
                    .withMessage(message).build()));
            return p;
        });
    }

    /** What a kubelet writes when the container cannot start: ErrImagePull, CreateContainerConfigError, … */
    void waiting(String pod, String reason, String message) {
        String now = Instant.now().toString();
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
            p.getStatus().setPhase("Pending");
            p.getStatus().setStartTime(now);
            p.getStatus().setInitContainerStatuses(List.of(new ContainerStatusBuilder().withName(BuilderPods.CONTAINER)
                    .withImage("builder").withImageID("").withReady(false).withRestartCount(0)
                    .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
                    .build()));
            p.getStatus().setContainerStatuses(List.of(initializing()));
            return p;
        });
    }

    /** As {@link #waiting(String, String, String)}, for the one container of a check pod. */
    void waiting(String pod, String container, String reason, String message) {
        String now = Instant.now().toString();
        client.pods().inNamespace(namespace).withName(pod).editStatus(p -> {
            p.getStatus().setPhase("Pending");
            p.getStatus().setStartTime(now);
            p.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName(container)
                    .withImage("builder").withImageID("").withReady(false).withRestartCount(0)
                    .withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState()
                    .build()));
            return p;
        });
    }

    /** What the node lifecycle controller writes when a kubelet stops posting its status. */
    void notReady(String node) {
        String now = Instant.now().toString();
        client.nodes().withName(node).editStatus(n -> {
            n.setStatus(new NodeStatusBuilder().addNewCondition().withType("Ready").withStatus("Unknown")
                    .withReason("NodeStatusUnknown").withMessage("Kubelet stopped posting node status.")
                    .withLastTransitionTime(now).withLastHeartbeatTime(now).endCondition().build());
            return n;
        });
    }

    void ready(String node) {
        String now = Instant.now().toString();
        client.nodes().withName(node).editStatus(n -> {
            n.setStatus(new NodeStatusBuilder().addNewCondition().withType("Ready").withStatus("True")
                    .withReason("KubeletReady").withMessage("kubelet is posting ready status")
                    .withLastTransitionTime(now).withLastHeartbeatTime(now).endCondition().build());
            return n;
        });
    }

    /**
     * A graceful delete, as the taint manager issues for pods of a NotReady node: with no kubelet to confirm
     * it, a pod bound to a node keeps its deletionTimestamp and stays Terminating.
     */
    void evict(String pod, long graceSeconds) {
        client.pods().inNamespace(namespace).withName(pod).withGracePeriod(graceSeconds).delete();
    }
}
