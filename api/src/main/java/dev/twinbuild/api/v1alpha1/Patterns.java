package dev.twinbuild.api.v1alpha1;

/** Regular expressions shared by the CRD schema and the CLI's validator. */
public final class Patterns {
    public static final String SHA256 = "^[a-f0-9]{64}$";
    public static final String OCI_DIGEST_REF = "^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?/[a-z0-9._/-]+@sha256:[a-f0-9]{64}$";
    public static final String ABSOLUTE_PATH = "^/.*";
    public static final String MODE = "^0?[0-7]{3,4}$";

    private Patterns() {
    }
}
