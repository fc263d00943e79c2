package dev.twinbuild.operator.pods;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.S3Store;
import dev.twinbuild.api.v1alpha1.Variation;
import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.verify.VariationPlan;
import dev.twinbuild.verify.VariationSet;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every builder pod meets the Pod Security Standard "restricted" (the e2e suite runs them in a namespace
 * that enforces it) and what the chart's ValidatingAdmissionPolicy demands of the operator's pods.
 */
class BuilderPodsPodSecurityTest {
    private final SystemImage si = Fixtures.systemImage("psa", 2);

    @Test
    void everyBuildOfAVerificationIsRestricted() {
        List<VariationSet> plan = VariationPlan.plan(EnumSet.allOf(Variation.class), 3);
        for (VariationSet v : plan) {
            for (ArtifactStore store : List.of(Fixtures.pvcStore(), s3())) {
                Pod pod = BuilderPods.desired(si, "0123456789", v, store, OperatorSettings.defaults(), 1);
                assertRestricted(pod);
                assertThat(pod.getSpec().getInitContainers()).extracting(Container::getName)
                        .containsExactly(BuilderPods.CONTAINER);
            }
        }
    }

    private static ArtifactStore s3() {
        ArtifactStore store = new ArtifactStore();
        store.s3 = new S3Store();
        store.s3.endpoint = "http://s3.example:9000";
        store.s3.bucket = "twinbuild";
        store.s3.credentialsSecret = "s3";
        return store;
    }

    @Test
    void checkPodsAreRestrictedToo() {
        for (String purpose : List.of("ReadBack", "Diagnosis")) {
            assertRestricted(CheckPods.desired(si, "0123456789", purpose, OperatorSettings.defaults(), 1));
        }
    }

    static void assertRestricted(Pod pod) {
        PodSpec spec = pod.getSpec();
        assertThat(spec.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(spec.getHostPID()).isNotEqualTo(Boolean.TRUE);
        assertThat(spec.getHostIPC()).isNotEqualTo(Boolean.TRUE);
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(spec.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(spec.getSecurityContext().getSysctls()).isNullOrEmpty();
        // Restricted volume types only: no hostPath.
        for (Volume vol : spec.getVolumes()) {
            assertThat(vol.getEmptyDir() != null || vol.getConfigMap() != null || vol.getSecret() != null
                    || vol.getPersistentVolumeClaim() != null).as("volume %s", vol.getName()).isTrue();
        }
        assertThat(spec.getShareProcessNamespace()).isNotEqualTo(Boolean.TRUE);
        for (Container c : java.util.stream.Stream.concat(spec.getInitContainers().stream(), spec.getContainers().stream())
                .toList()) {
            var sc = c.getSecurityContext();
            assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
            assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
            assertThat(sc.getRunAsNonRoot()).isNotEqualTo(Boolean.FALSE);
            assertThat(sc.getCapabilities().getDrop()).contains("ALL");
            assertThat(sc.getCapabilities().getAdd()).isSubsetOf("NET_BIND_SERVICE");
            assertThat(sc.getProcMount()).isNull();
            assertThat(c.getPorts()).allSatisfy(p -> assertThat(p.getHostPort()).isNull());
        }
    }
}
