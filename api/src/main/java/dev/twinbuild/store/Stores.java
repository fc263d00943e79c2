package dev.twinbuild.store;

import dev.twinbuild.api.v1alpha1.ArtifactStore;

/**
 * The store layout, the one source of truth for keys and locations: the operator computes every key a
 * build may write (and grants exactly those), and checks what a build reports against them.
 */
public final class Stores {
    /** The build record beside a build's outputs. */
    public static final String RECORD_FILE = "build-record.json";
    /**
     * The upload container's full {@link BuildSummary}, stored when it does not fit the termination message.
     * No output can have this name: output names begin with a letter or digit.
     */
    public static final String SUMMARY_FILE = ".upload-summary.json";
    /** The most the operator reads of a stored summary: 64 outputs of two files each need about 80 KiB. */
    public static final int MAX_SUMMARY_BYTES = 1 << 20;

    private Stores() {
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

    /** The key of a build's file. */
    public static String key(String buildPrefix, String file) {
        if (file.isEmpty() || file.contains("/") || file.equals(".") || file.equals("..")) {
            throw new StoreException(StoreException.REJECTED, "'" + file + "' is not a plain file name");
        }
        return buildPrefix + "/" + file;
    }

    /** {@code s3://bucket/key} or {@code pvc://claim/[subPath/]key}. */
    public static String location(ArtifactStore spec, String key) {
        if (spec.s3 != null) {
            return "s3://" + spec.s3.bucket + "/" + key;
        }
        String sub = spec.pvc.subPath == null ? "" : spec.pvc.subPath.replaceAll("^/+|/+$", "");
        return "pvc://" + spec.pvc.claimName + "/" + (sub.isEmpty() ? "" : sub + "/") + key;
    }
}
