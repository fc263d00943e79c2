package dev.twinbuild.store;

import java.nio.file.Path;

/**
 * Where a builder pod puts the files of its build. The pod names a file (an output's file name or the
 * build record); the key it goes to was chosen by the operator ({@link Stores#buildPrefix}), never by
 * the pod. A location is the key's URL ({@code s3://bucket/key}, {@code pvc://claim/path}) as recorded
 * in the SystemImage status.
 */
public interface ArtifactStoreClient {

    /** Stores {@code file} as the build's file {@code name}; the store's copy is checked against {@code sha256}. */
    StoredObject put(String name, Path file, String sha256);

    /** Where the build's file {@code name} goes. */
    String location(String name);
}
