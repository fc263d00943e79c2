package dev.twinbuild.operator.reconciler;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a node's Ready condition, only for pods stuck Terminating past their grace period — a rare event,
 * so a GET at that moment rather than a cluster-wide Node informer held in the operator's memory.
 */
final class NodeReadiness implements BuildTracker.NodeCheck {
    private final KubernetesClient client;
    private final Map<String, Optional<String>> seen = new HashMap<>();

    NodeReadiness(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public String notReady(String node) {
        return seen.computeIfAbsent(node, n -> Optional.ofNullable(describe(n))).orElse(null);
    }

    private String describe(String name) {
        Node node;
        try {
            node = client.nodes().withName(name).get();
        } catch (KubernetesClientException e) {
            // No permission or no answer: the pod has outlived its grace period all the same.
            return "node state unreadable: HTTP " + e.getCode();
        }
        if (node == null) {
            return "node deleted";
        }
        NodeCondition ready = node.getStatus() == null || node.getStatus().getConditions() == null ? null
                : node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
                .orElse(null);
        if (ready == null) {
            return "NotReady: no Ready condition";
        }
        if ("True".equals(ready.getStatus())) {
            return null;
        }
        return "NotReady since " + ready.getLastTransitionTime()
                + (ready.getReason() == null ? "" : ": " + ready.getReason())
                + (ready.getMessage() == null ? "" : ", " + PodFailures.cap(ready.getMessage()));
    }
}
