package dev.twinbuild.operator.cache;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PrunedCacheTest {

    private static Pod pod() {
        return new PodBuilder().withNewMetadata().withName("b0").withNamespace("team-a").withResourceVersion("42")
                .addToLabels("twinbuild.dev/image", "hello")
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("twinbuild").withOperation("Apply")
                        .build())
                .endMetadata().build();
    }

    @Test
    void storesObjectsWithoutManagedFieldsKeepingTheRest() {
        ItemStore<Pod> store = PrunedCache.<Pod>store(Constants.DEFAULT_NAMESPACES_SET).orElseThrow();
        Pod pod = pod();
        store.put(Cache.metaNamespaceKeyFunc(pod), pod);

        Pod cached = store.get("team-a/b0");
        assertThat(cached.getMetadata().getManagedFields()).isNull();
        assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(cached.getMetadata().getLabels()).containsEntry("twinbuild.dev/image", "hello");
    }

    @Test
    void oneStorePerInformerOnly() {
        assertThat(PrunedCache.<Pod>store(Set.of("team-a"))).isPresent();
        assertThat(PrunedCache.<Pod>store(Constants.DEFAULT_NAMESPACES_SET)).isPresent();
        // JOSDK would share the one instance between the two namespaces' informers.
        assertThat(PrunedCache.<Pod>store(Set.of("team-a", "team-b"))).isEmpty();
        // A new store each time: never shared between controllers or event sources.
        assertThat(PrunedCache.<Pod>store(Set.of("team-a")).orElseThrow())
                .isNotSameAs(PrunedCache.<Pod>store(Set.of("team-a")).orElseThrow());
    }
}
