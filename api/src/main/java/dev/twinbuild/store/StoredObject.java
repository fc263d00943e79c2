package dev.twinbuild.store;

/** An object in the store whose content was checked against {@code sha256}. */
public record StoredObject(String location, String sha256, long size) {
}
