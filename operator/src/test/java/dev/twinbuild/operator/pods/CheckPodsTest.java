package dev.twinbuild.operator.pods;

import dev.twinbuild.check.CheckRequest;
import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.store.GrantIssuer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CheckPodsTest {
    private final OperatorSettings settings = OperatorSettings.defaults();

    @Test
    void aCheckPodIsOwnedNamedByItsSpecAndBounded() {
        SystemImage si = Fixtures.systemImage("drift", 2);
        Pod pod = CheckPods.desired(si, "0123456789", "Diagnosis", settings, 1);
        assertThat(pod.getMetadata().getName()).isEqualTo("drift-0123456789-chk");
        assertThat(pod.getMetadata().getNamespace()).isEqualTo(si.getMetadata().getNamespace());
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(si.getMetadata().getUid()));
        assertThat(pod.getMetadata().getLabels()).containsEntry(Names.LABEL_COMPONENT, "check")
                .containsEntry(Names.LABEL_SPEC_HASH, "0123456789").containsEntry(Names.LABEL_CHECK, "diagnosis");
        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSpec().getActiveDeadlineSeconds()).isPositive();
        Container c = pod.getSpec().getContainers().get(0);
        // The operator's builder image, never a tenant's spec.builderImage.
        assertThat(c.getImage()).isEqualTo(settings.builderImage());
        assertThat(c.getCommand()).contains("pod-check", "--request", CheckPods.REQUEST_DIR + "/" + CheckRequest.FILE);
        assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory", "ephemeral-storage");
        assertThat(c.getResources().getLimits().get("ephemeral-storage")).isEqualTo(new Quantity(settings.workSizeLimit()));
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getEnv()).noneMatch(e -> e.getName().startsWith("AWS_"));
        assertThat(pod.getSpec().getVolumes()).filteredOn(v -> v.getSecret() != null).singleElement()
                .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo(GrantIssuer.secretName("drift-0123456789-chk")));
    }

    @Test
    void twoChecksShareNoScratchState() {
        Pod a = CheckPods.desired(Fixtures.systemImage("one", 2), "0123456789", "Diagnosis", settings, 1);
        Pod b = CheckPods.desired(Fixtures.systemImage("two", 2), "0123456789", "Diagnosis", settings, 1);
        assertThat(a.getMetadata().getName()).isNotEqualTo(b.getMetadata().getName());
        for (Pod p : new Pod[]{a, b}) {
            // Every writable place is an emptyDir of the pod itself: nothing on the node or a claim is shared.
            assertThat(p.getSpec().getVolumes()).allSatisfy(v -> assertThat(v.getEmptyDir() != null || v.getSecret() != null).isTrue());
            assertThat(p.getSpec().getVolumes()).filteredOn(v -> v.getEmptyDir() != null)
                    .allSatisfy(v -> assertThat(v.getEmptyDir().getSizeLimit()).isNotNull());
        }
    }
}
