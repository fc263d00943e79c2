package dev.twinbuild.operator.pods;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.S3Store;
import dev.twinbuild.api.v1alpha1.Variation;
import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.verify.VariationPlan;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMount;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BuilderPodsTest {
    private final SystemImage si = Fixtures.systemImage("live", 2);
    private final OperatorSettings settings = OperatorSettings.defaults();

    @Test
    void controlBuildIsHardenedAndKeptApartFromItsSiblings() {
        Pod pod = BuilderPods.desired(si, "0123456789", VariationPlan.forBuild(0, EnumSet.allOf(Variation.class)),
                Fixtures.pvcStore(), settings, 1);

        assertThat(pod.getMetadata().getName()).isEqualTo("live-0123456789-b0");
        assertThat(pod.getMetadata().getLabels()).containsEntry(Names.LABEL_SPEC_HASH, "0123456789")
                .containsEntry(Names.LABEL_BUILD_INDEX, "0").containsEntry(Names.LABEL_IMAGE, "live");
        assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getController()).isTrue());
        var spec = pod.getSpec();
        assertThat(spec.getAutomountServiceAccountToken()).isFalse();
        assertThat(spec.getRestartPolicy()).isEqualTo("Never");
        assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(1800L);
        assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var anti = spec.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        assertThat(anti).singleElement().satisfies(t -> {
            assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(t.getLabelSelector().getMatchLabels()).containsEntry(Names.LABEL_SPEC_HASH, "0123456789")
                    .doesNotContainKey(Names.LABEL_BUILD_INDEX);
        });
        // Off a lost node after lostPodGrace (60 s by default), not Kubernetes' default 300 s.
        assertThat(spec.getTolerations()).extracting(t -> t.getKey() + ":" + t.getEffect() + ":" + t.getTolerationSeconds())
                .containsExactlyInAnyOrder("node.kubernetes.io/unreachable:NoExecute:60",
                        "node.kubernetes.io/not-ready:NoExecute:60");
        Container c = BuilderPods.buildContainer(pod);
        Container upload = spec.getContainers().get(0);
        for (Container each : List.of(c, upload)) {
            assertThat(each.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
            assertThat(each.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(each.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(each.getResources().getLimits()).containsKeys("cpu", "memory");
        }
        assertThat(c.getCommand()).contains("pod-build", "--out", "/out", "--dir-order", "NATURAL")
                .doesNotContain("--store-prefix", "--pvc-claim");
        assertThat(c.getEnv()).extracting(EnvVar::getName).contains("TZ", "LANG", "HOME", "TWINBUILD_UMASK");
        // The PVC store, too, is the upload container's only: a step cannot touch other builds' files in it.
        assertThat(c.getVolumeMounts()).extracting(VolumeMount::getName).containsExactly("work", "tmp", "out", "manifest");
        assertThat(upload.getName()).isEqualTo(BuilderPods.UPLOAD_CONTAINER);
        assertThat(upload.getCommand()).contains("pod-upload", "--from", "/out", "--store-prefix", "ns/live/0123456789/b0",
                "--pvc-claim", "artifacts");
        assertThat(upload.getVolumeMounts()).extracting(VolumeMount::getName)
                .containsExactly("upload-tmp", "out", "manifest", "store");
        assertThat(spec.getVolumes()).extracting(v -> v.getName())
                .containsExactly("work", "tmp", "out", "upload-tmp", "manifest", "store");
    }

    @Test
    void variedBuildGetsItsUserHostCpuAndFlags() {
        ArtifactStore s3 = new ArtifactStore();
        s3.s3 = new S3Store();
        s3.s3.endpoint = "http://minio:9000";
        s3.s3.bucket = "art";
        Pod pod = BuilderPods.desired(si, "0123456789", VariationPlan.forBuild(1, EnumSet.allOf(Variation.class)),
                s3, settings, 2);

        var spec = pod.getSpec();
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(Names.ANNOTATION_ATTEMPT, "2");
        assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(1001L);
        assertThat(spec.getSecurityContext().getRunAsGroup()).isEqualTo(1001L);
        assertThat(spec.getHostname()).isEqualTo("i-capture-the-hostname-1");
        assertThat(spec.getSubdomain()).isEqualTo("i-capture-the-domain-1");
        Container c = BuilderPods.buildContainer(pod);
        Container upload = spec.getContainers().get(0);
        assertThat(c.getResources().getLimits()).containsEntry("cpu", new Quantity("1"));
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("500m"));
        assertThat(c.getCommand()).contains("--dir-order", "REVERSE", "--threads", "1", "--clock-offset",
                Long.toString(VariationPlan.CLOCK_OFFSET_SECONDS)).doesNotContain("--grants");
        assertThat(upload.getCommand()).contains("pod-upload", "--grants", "/etc/twinbuild/grants/grants.json");
        // No store credentials and no key names in the pod: only the grants file, from a Secret it owns.
        assertThat(upload.getCommand()).doesNotContain("--s3-endpoint", "--store-prefix");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("TWINBUILD_UMASK");
            assertThat(e.getValue()).isEqualTo("0002");
        }).allSatisfy(e -> {
            assertThat(e.getValueFrom()).isNull();
            assertThat(e.getName()).doesNotStartWith("AWS_");
        });
        assertThat(spec.getVolumes()).extracting(v -> v.getName()).doesNotContain("store");
        assertThat(spec.getVolumes()).filteredOn(v -> v.getName().equals("grants")).singleElement().satisfies(v -> {
            assertThat(v.getSecret().getSecretName()).isEqualTo("live-0123456789-b1-grants");
            assertThat(v.getSecret().getOptional()).isFalse();
        });
        // Build steps run in the build container: it has no grants, only the upload container has.
        assertThat(c.getVolumeMounts()).extracting(VolumeMount::getName).doesNotContain("grants", "store");
        assertThat(upload.getVolumeMounts()).filteredOn(m -> m.getName().equals("grants"))
                .singleElement().satisfies(m -> assertThat(m.getReadOnly()).isTrue());
        assertThat(upload.getVolumeMounts()).filteredOn(m -> m.getName().equals("out"))
                .singleElement().satisfies(m -> assertThat(m.getReadOnly()).isTrue());
        assertThat(spec.getShareProcessNamespace()).isFalse();
    }

    @Test
    void theUploadContainerIsTheOperatorsImageWhateverTheSpecSays() {
        si.getSpec().builderImage = "registry.team-a.example/own-builder:1";
        ArtifactStore s3 = new ArtifactStore();
        s3.s3 = new S3Store();
        s3.s3.endpoint = "http://minio:9000";
        s3.s3.bucket = "art";
        Pod pod = BuilderPods.desired(si, "0123456789", VariationPlan.forBuild(0, EnumSet.allOf(Variation.class)),
                s3, settings, 1);

        assertThat(BuilderPods.buildContainer(pod).getImage()).isEqualTo("registry.team-a.example/own-builder:1");
        assertThat(pod.getSpec().getContainers()).singleElement().satisfies(upload -> {
            assertThat(upload.getImage()).isEqualTo(settings.builderImage());
            assertThat(upload.getVolumeMounts()).extracting(VolumeMount::getName).contains("grants");
            assertThat(upload.getSecurityContext().getCapabilities().getAdd()).isEmpty();
        });
    }
}
