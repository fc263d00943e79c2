package dev.twinbuild.operator.pods;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the reconciler needs to know about one builder pod, read from its status (in the informer cache).
 *
 * @param uid             the pod's UID: only the pod the operator created (recorded in the status) counts
 * @param phase           the pod's phase, but Running while its build (init) container runs
 * @param terminated      the build container's end when it failed (the upload container never starts), else
 *                        the upload container's: whichever carries the summary the operator reads
 * @param waiting         why a container cannot start (ErrImagePull, CreateContainerConfigError, …), the build
 *                        container's first
 * @param deletionDeadline when the pod should be gone (its deletionTimestamp), null unless it is being deleted
 */
public record PodView(String name, String uid, Instant created, int attempt, String phase, String node,
                      Instant startTime, boolean deleting, String podReason, String podMessage, Terminated terminated,
                      Unschedulable unschedulable, Waiting waiting, Instant deletionDeadline) {

    public PodView(String name, String uid, Instant created, int attempt, String phase, String node,
                   Instant startTime, boolean deleting, String podReason, String podMessage, Terminated terminated,
                   Unschedulable unschedulable) {
        this(name, uid, created, attempt, phase, node, startTime, deleting, podReason, podMessage, terminated,
                unschedulable, null, null);
    }

    public record Terminated(int exitCode, String reason, String message, Instant startedAt, Instant finishedAt) {
    }

    /** The container is not running yet, and the kubelet says why. */
    public record Waiting(String reason, String message) {
    }

    /** PodScheduled=False with reason Unschedulable, since {@code since}. */
    public record Unschedulable(Instant since, String message) {
    }

    public static PodView of(Pod pod) {
        var status = pod.getStatus();
        String attempt = pod.getMetadata().getAnnotations() == null ? null
                : pod.getMetadata().getAnnotations().get(Names.ANNOTATION_ATTEMPT);
        Terminated terminated = null;
        Unschedulable unschedulable = null;
        Waiting waiting = null;
        String phase = "Pending";
        Instant start = null;
        String reason = null;
        String message = null;
        if (status != null) {
            phase = status.getPhase() == null ? "Pending" : status.getPhase();
            start = time(status.getStartTime());
            reason = status.getReason();
            message = status.getMessage();
            Optional<ContainerStatus> build = find(status.getInitContainerStatuses(), BuilderPods.CONTAINER);
            Optional<ContainerStatus> upload = find(status.getContainerStatuses(), BuilderPods.UPLOAD_CONTAINER);
            Terminated built = build.flatMap(PodView::terminated).orElse(null);
            terminated = built != null && built.exitCode() != 0 ? built
                    : upload.flatMap(PodView::terminated).orElse(null);
            waiting = build.flatMap(PodView::waiting).or(() -> upload.flatMap(PodView::waiting)).orElse(null);
            if ("Pending".equals(phase) && build.map(c -> c.getState() != null && c.getState().getRunning() != null)
                    .orElse(false)) {
                phase = "Running"; // the pod stays Pending while its init container builds
            }
            if (status.getConditions() != null) {
                for (PodCondition c : status.getConditions()) {
                    if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
                            && "Unschedulable".equals(c.getReason())) {
                        Instant since = time(c.getLastTransitionTime());
                        unschedulable = new Unschedulable(since, c.getMessage());
                    }
                }
            }
        }
        return new PodView(pod.getMetadata().getName(), pod.getMetadata().getUid(),
                time(pod.getMetadata().getCreationTimestamp()), attempt == null ? 1 : Integer.parseInt(attempt), phase,
                pod.getSpec() == null ? null : pod.getSpec().getNodeName(), start,
                pod.getMetadata().getDeletionTimestamp() != null, reason, message, terminated, unschedulable,
                waiting, time(pod.getMetadata().getDeletionTimestamp()));
    }

    /** Why the named container (of any pod, init or not) cannot start yet, if the kubelet says so; else null. */
    public static Waiting waiting(Pod pod, String container) {
        var status = pod.getStatus();
        if (status == null) {
            return null;
        }
        return find(status.getContainerStatuses(), container)
                .or(() -> find(status.getInitContainerStatuses(), container))
                .flatMap(PodView::waiting).orElse(null);
    }

    private static Optional<ContainerStatus> find(List<ContainerStatus> statuses, String name) {
        return statuses == null ? Optional.empty() : statuses.stream().filter(c -> name.equals(c.getName())).findFirst();
    }

    private static Optional<Waiting> waiting(ContainerStatus c) {
        if (c.getState() == null || c.getState().getWaiting() == null) {
            return Optional.empty();
        }
        ContainerStateWaiting w = c.getState().getWaiting();
        // PodInitializing: the upload container waiting for the build, as it should.
        return w.getReason() == null || "PodInitializing".equals(w.getReason()) ? Optional.empty()
                : Optional.of(new Waiting(w.getReason(), w.getMessage()));
    }

    private static Optional<Terminated> terminated(ContainerStatus c) {
        if (c.getState() == null || c.getState().getTerminated() == null) {
            return Optional.empty();
        }
        ContainerStateTerminated t = c.getState().getTerminated();
        return Optional.of(new Terminated(t.getExitCode() == null ? -1 : t.getExitCode(), t.getReason(),
                t.getMessage(), time(t.getStartedAt()), time(t.getFinishedAt())));
    }

    static Instant time(String t) {
        return t == null || t.isBlank() ? null : Instant.parse(t);
    }
}
