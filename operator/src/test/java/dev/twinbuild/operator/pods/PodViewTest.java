package dev.twinbuild.operator.pods;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The two containers of a builder pod, as the kubelet reports them, read as one build. */
class PodViewTest {
    private static final String T0 = "2026-01-01T00:00:00Z";
    private static final String T1 = "2026-01-01T00:01:00Z";

    @Test
    void aRunningBuildContainerIsARunningBuildThoughThePodIsPending() {
        PodView v = PodView.of(pod("Pending", running(BuilderPods.CONTAINER), initializing()));

        assertThat(v.phase()).isEqualTo("Running");
        assertThat(v.waiting()).isNull();
        assertThat(v.terminated()).isNull();
    }

    @Test
    void aFailedBuildContainerCarriesTheSummaryAndExitCode() {
        PodView v = PodView.of(pod("Failed", terminated(BuilderPods.CONTAINER, 2, "{\"failure\":{\"reason\":\"InputError\"}}"),
                initializing()));

        assertThat(v.phase()).isEqualTo("Failed");
        assertThat(v.terminated().exitCode()).isEqualTo(2);
        assertThat(v.terminated().message()).contains("InputError");
    }

    @Test
    void aSucceededPodReportsTheUploadContainersSummaryNotTheBuilds() {
        PodView v = PodView.of(pod("Succeeded", terminated(BuilderPods.CONTAINER, 0, "{\"claims\":\"from the build\"}"),
                terminated(BuilderPods.UPLOAD_CONTAINER, 0, "{\"outputs\":[]}")));

        assertThat(v.terminated().message()).isEqualTo("{\"outputs\":[]}");
        assertThat(v.terminated().finishedAt()).hasToString(T1);
    }

    @Test
    void aContainerThatCannotStartIsWaitingWhicheverItIs() {
        assertThat(PodView.of(pod("Pending", waiting(BuilderPods.CONTAINER, "ErrImagePull"), initializing()))
                .waiting().reason()).isEqualTo("ErrImagePull");
        // The build ran; the operator's own image cannot be pulled for the upload.
        assertThat(PodView.of(pod("Running", terminated(BuilderPods.CONTAINER, 0, ""),
                waiting(BuilderPods.UPLOAD_CONTAINER, "ImagePullBackOff"))).waiting().reason())
                .isEqualTo("ImagePullBackOff");
        assertThat(PodView.of(pod("Pending", waiting(BuilderPods.CONTAINER, "PodInitializing"), initializing()))
                .waiting()).isNull();
    }

    private static Pod pod(String phase, ContainerStatus build, ContainerStatus upload) {
        return new PodBuilder().withNewMetadata().withName("p").withUid("u").withCreationTimestamp(T0).endMetadata()
                .withNewStatus().withPhase(phase).withStartTime(T0)
                .withInitContainerStatuses(List.of(build)).withContainerStatuses(List.of(upload)).endStatus().build();
    }

    private static ContainerStatus running(String name) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewRunning().withStartedAt(T0).endRunning()
                .endState().build();
    }

    private static ContainerStatus waiting(String name, String reason) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewWaiting().withReason(reason)
                .withMessage("why").endWaiting().endState().build();
    }

    private static ContainerStatus initializing() {
        return waiting(BuilderPods.UPLOAD_CONTAINER, "PodInitializing");
    }

    private static ContainerStatus terminated(String name, int exit, String message) {
        return new ContainerStatusBuilder().withName(name).withNewState().withNewTerminated().withExitCode(exit)
                .withMessage(message).withStartedAt(T0).withFinishedAt(T1).endTerminated().endState().build();
    }
}
