package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.pods.PodView;

import java.util.Set;

/**
 * Pod states that will not get better without a person: a builder or check container cannot start (its image
 * cannot be pulled, a Secret it needs is missing, …) or the pod cannot be scheduled. In the spirit of
 * Keycloak's operator (checkForPodErrors): the container's own reason and message go into the
 * SystemImage's Stalled condition, read from the pod in the informer cache as soon as the kubelet writes
 * them, instead of a Timeout half an hour later.
 */
final class PodFailures {
    /** Waiting reasons of the kubelet that mean "will not start by itself". */
    static final Set<String> STALLING = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError");
    /** Of those, the ones no retry can cure: the pod spec itself is wrong (the image reference). */
    static final Set<String> PERMANENT = Set.of("InvalidImageName");
    static final String UNSCHEDULABLE = "Unschedulable";
    private static final int MAX_MESSAGE = 1024;

    /** Why one build cannot progress: the SystemImage's Stalled reason and message. */
    record Stall(String reason, String message) {
    }

    private PodFailures() {
    }

    /** The builder container's waiting state, when it is one that needs a person; else null. */
    static Stall waiting(BuildStatus b, PodView pod) {
        return waiting(b.name, pod.name(), pod.node(), pod.waiting());
    }

    /**
     * The one rule for every pod the operator makes (builds and checks): a waiting state that needs a
     * person, named with what it is for, the pod and its node; else null.
     *
     * @param subject what the pod does for the SystemImage ("b0", "the read-back check", …)
     */
    static Stall waiting(String subject, String pod, String node, PodView.Waiting w) {
        if (w == null || !STALLING.contains(w.reason())) {
            return null;
        }
        return new Stall(w.reason(), subject + " (pod " + pod + (node == null ? "" : " on node " + node)
                + "): container cannot start: " + w.reason() + ": " + cap(w.message()));
    }

    /**
     * The scheduler's own message. InsufficientNodes when the builds' required anti-affinity is what keeps
     * the pod off the nodes (a verification of N builds needs N schedulable nodes), Unschedulable otherwise
     * (resources, taints, quota on the node, …).
     */
    static Stall unschedulable(BuildStatus b, int builds, long graceSeconds, String schedulerMessage) {
        String m = schedulerMessage == null ? "unschedulable" : cap(schedulerMessage);
        String text = b.name + " (pod " + b.pod + ") cannot be scheduled for " + graceSeconds + "s: " + m;
        if (m.contains("anti-affinity")) {
            return new Stall(dev.twinbuild.operator.status.StatusComposer.INSUFFICIENT_NODES, text + ". The " + builds
                    + " builds of a verification need " + builds
                    + " schedulable nodes (required anti-affinity on kubernetes.io/hostname).");
        }
        return new Stall(UNSCHEDULABLE, text);
    }

    static String cap(String s) {
        if (s == null || s.isBlank()) {
            return "(no message)";
        }
        String t = s.strip();
        return t.length() > MAX_MESSAGE ? t.substring(0, MAX_MESSAGE) + "…" : t;
    }
}
