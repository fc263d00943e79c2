package dev.twinbuild.store;

import dev.twinbuild.api.v1alpha1.ArtifactStore;

import java.net.URI;
import java.nio.file.Path;

/** Opens the store a SystemImage names, and lays out its keys. */
public final class Stores {
    private Stores() {
    }

    /** @param pvcMount where the PVC store is mounted (unused for S3) */
    public static ArtifactStoreClient open(ArtifactStore spec, S3Credentials credentials, Path pvcMount) {
        if (spec.s3 != null) {
            return new S3ObjectStore(URI.create(spec.s3.endpoint), spec.s3.bucket, spec.s3.region, credentials);
        }
        if (spec.pvc != null) {
            return new DirectoryStore(pvcMount, spec.pvc.claimName, spec.pvc.subPath);
        }
        throw new StoreException(StoreException.REJECTED, "the store names neither s3 nor pvc");
    }

    /**
     * Key prefix of one build: {@code [<s3 prefix>/]<namespace>/<name>/<spec hash>/b<index>}. The spec
     * hash, not the generation, so that re-applying an identical spec finds the same objects.
     */
    public static String buildPrefix(ArtifactStore spec, String namespace, String name, String specHash, int index) {
        String prefix = spec.s3 != null && spec.s3.prefix != null ? spec.s3.prefix.replaceAll("^/+|/+$", "") : "";
        String rest = namespace + "/" + name + "/" + specHash + "/b" + index;
        return prefix.isEmpty() ? rest : prefix + "/" + rest;
    }
}
