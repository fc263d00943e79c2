package dev.twinbuild.operator.cache;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;

import java.util.Optional;
import java.util.Set;

/**
 * The informers' item store without {@code metadata.managedFields}: the API server's record of which field
 * manager set which field, often larger than the object's own spec and status. The operator never reads it:
 * status writes are server-side apply patches of a fresh object (the API server keeps the managed fields),
 * and JOSDK clears managedFields from what it applies. JOSDK's {@link TransformingItemStore} drops them as
 * each object enters the cache; name, namespace and resourceVersion are kept for the cache's own logic.
 *
 * <p>Only where one informer feeds the store. JOSDK gives the same store instance to each of a controller's
 * per-namespace informers when it watches a list of namespaces; one namespace's (re)list would then remove
 * the others' objects from it and a listing would repeat every object once per namespace. There the
 * informers keep their own stores and the managed fields (see {@link #store}).
 */
public final class PrunedCache {
    private PrunedCache() {
    }

    /**
     * @param namespaces the informer's effective namespaces
     * @return a new item store without managed fields, or empty when the namespaces need one informer each
     */
    public static <R extends HasMetadata> Optional<ItemStore<R>> store(Set<String> namespaces) {
        boolean oneInformer = namespaces == null || namespaces.size() == 1
                || InformerConfiguration.allNamespacesWatched(namespaces);
        return oneInformer ? Optional.of(new TransformingItemStore<>(PrunedCache::prune)) : Optional.empty();
    }

    /** The object without its managed fields (changed in place: it is the informer's own deserialised copy). */
    public static <R extends HasMetadata> R prune(R resource) {
        resource.getMetadata().setManagedFields(null);
        return resource;
    }
}
