package dev.twinbuild.operator.store;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.store.StoredObject;

/**
 * Streams S3 artifacts back and hashes them (the operator never trusts a digest it has not seen in
 * the store). A PVC is not mounted in the operator: there the builder's own read-back check stands.
 */
public class StoreArtifactVerifier implements ArtifactVerifier {
    private final StoreClients clients;

    public StoreArtifactVerifier(StoreClients clients) {
        this.clients = clients;
    }

    @Override
    public StoredObject verify(String namespace, ArtifactStore store, String location, String sha256) {
        if (store.s3 == null) {
            return new StoredObject(location, sha256, -1);
        }
        return clients.s3(namespace, store).verify(location, sha256);
    }
}
