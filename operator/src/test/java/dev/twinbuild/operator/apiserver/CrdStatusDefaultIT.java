package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CRD as the API server serves it: kubectl's columns in their order, and a SystemImage the operator
 * has not seen yet reads with status.observedGeneration 0 (kstatus, and Flux's wait, see "not observed"
 * rather than "no status, so Current").
 */
class CrdStatusDefaultIT {
    @Test
    void aNewSystemImageIsNotObservedYet() throws Exception {
        KubernetesClient client = ApiServer.client();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("status-default").endMetadata()
                .build()).create();
        SystemImage si = Fixtures.systemImage("unseen", 2);
        si.getMetadata().setNamespace("status-default");
        si.getMetadata().setUid(null);
        si.getMetadata().setGeneration(null);
        SystemImage created = client.resource(si).create();
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(created.getStatus()).isNotNull();
        assertThat(created.getStatus().observedGeneration).isEqualTo(0L);
        assertThat(created.getStatus().phase).isNull();
        SystemImage read = client.resources(SystemImage.class).inNamespace("status-default").withName("unseen").get();
        assertThat(read.getStatus().observedGeneration).isEqualTo(0L);
    }

    @Test
    void kubectlColumnsAreInTheirOrder() throws Exception {
        CustomResourceDefinition crd = ApiServer.client().apiextensions().v1().customResourceDefinitions()
                .withName("systemimages.twinbuild.dev").get();
        List<String> names = crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
                .map(c -> c.getName()).toList();
        assertThat(names).containsExactly("Phase", "Reproducible", "Digest", "Nodes", "Age");
    }
}
