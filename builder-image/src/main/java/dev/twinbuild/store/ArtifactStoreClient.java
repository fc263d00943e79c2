package dev.twinbuild.store;

import java.nio.file.Path;

/**
 * Where builds put their outputs. Keys are relative, '/'-separated; a location is the key's URL
 * ({@code s3://bucket/key}, {@code pvc://claim/path}) as recorded in the SystemImage status.
 */
public interface ArtifactStoreClient {

    /** Stores {@code file} under {@code key}; the store's copy is checked against {@code sha256}. */
    StoredObject put(String key, Path file, String sha256);

    /** Reads the object at {@code location} and checks that its content hashes to {@code sha256}. */
    StoredObject verify(String location, String sha256);

    String location(String key);
}
