package dev.twinbuild.operator.diagnosis;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.operator.api.v1alpha1.Artifact;
import dev.twinbuild.operator.api.v1alpha1.Mismatch;

import java.util.List;

/** Explains an unreproducible verdict: which paths differ, and a full report next to the artifacts. */
public interface MismatchDiagnoser {

    /**
     * Fills {@code mismatch.differingPaths} and {@code mismatch.reportLocation}. A diagnosis that cannot be
     * made leaves them empty: the digests have already decided the verdict.
     */
    void diagnose(String namespace, ArtifactStore store, Mismatch mismatch, List<Artifact> artifacts);
}
