package dev.twinbuild.operator.store;

import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.store.StoreException;

/** Checks a finished build's copy in the store: every output, at the key the operator chose for it. */
public interface ArtifactVerifier {

    /** @throws StoreException with the reason (unreachable, missing, digest mismatch, rejected) */
    void verify(String namespace, BuildStatus build, BuildLayout layout);
}
