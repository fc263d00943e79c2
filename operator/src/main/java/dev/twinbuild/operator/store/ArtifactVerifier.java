package dev.twinbuild.operator.store;

import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.store.StoreException;

/** Finishes a build's uploads and checks that every output is where the operator put it (no read-back: a check pod does that). */
public interface ArtifactVerifier {

    /** @throws StoreException with the reason (unreachable, missing, digest mismatch, rejected) */
    void verify(String namespace, BuildStatus build, BuildLayout layout);

    /**
     * The whole summary the upload container stored when it did not fit its termination message.
     *
     * @throws StoreException UNREACHABLE (retry) or REJECTED/MISSING (the build cannot be accepted)
     */
    BuildSummary storedSummary(String namespace, BuildLayout layout);
}
