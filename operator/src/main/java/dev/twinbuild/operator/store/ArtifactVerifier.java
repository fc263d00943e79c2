package dev.twinbuild.operator.store;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.store.StoreException;
import dev.twinbuild.store.StoredObject;

/** Checks that an artifact in the store really has the digest its build reported. */
public interface ArtifactVerifier {

    /** @throws StoreException with the reason (unreachable, missing, digest mismatch) */
    StoredObject verify(String namespace, ArtifactStore store, String location, String sha256);
}
