package dev.twinbuild.operator.pods;

import dev.twinbuild.api.v1alpha1.SystemImageSpec;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.store.Sha256;

import java.util.Map;
import java.util.TreeMap;

/** Deterministic names and labels of the children of a SystemImage, derived from its name and spec. */
public final class Names {
    public static final String LABEL_IMAGE = "twinbuild.dev/image";
    public static final String LABEL_SPEC_HASH = "twinbuild.dev/spec-hash";
    public static final String LABEL_BUILD_INDEX = "twinbuild.dev/build-index";
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
    public static final String MANAGED_BY = "twinbuild-operator";
    /** On check pods: readback or diagnosis. */
    public static final String LABEL_CHECK = "twinbuild.dev/check";
    /** On pods of a written verdict: out of the operator's pod cache (reconciler.Retirement). */
    public static final String LABEL_RETIRED = "twinbuild.dev/retired";
    public static final String ANNOTATION_ATTEMPT = "twinbuild.dev/attempt";
    private static final int DNS_LABEL = 63;

    private Names() {
    }

    /**
     * First 10 hex digits of the SHA-256 of the spec's canonical JSON (sorted keys), without its
     * re-verification schedule: changing when it is checked again does not rebuild it.
     */
    public static String specHash(SystemImageSpec spec) {
        return Sha256.hex(Manifests.canonicalJson(spec.buildDefinition())).substring(0, 10);
    }

    /**
     * The spec-hash label of re-verification round {@code round} ({@code <hash>-r<round>}): its pods,
     * check pod, manifest and store keys are named from it, apart from the first round's and each other's.
     */
    public static String roundHash(String specHash, long round) {
        return specHash + "-r" + round;
    }

    /** Whether a spec-hash label belongs to this spec: its first round or one of its re-verifications. */
    public static boolean ofSpec(String specHash, String label) {
        return label != null && (label.equals(specHash) || label.startsWith(specHash + "-r"));
    }

    /** {@code <name>-<hash>}, the name cut so that {@code -b<index>} still fits a DNS label. */
    public static String base(String imageName, String specHash) {
        String suffix = "-" + specHash;
        int room = DNS_LABEL - suffix.length() - "-b99".length();
        String head = imageName.length() > room ? imageName.substring(0, room).replaceAll("[-.]+$", "") : imageName;
        return head + suffix;
    }

    public static String pod(String imageName, String specHash, int index) {
        return base(imageName, specHash) + "-b" + index;
    }

    /** The generation's check pod (read-back and diagnosis): "-chk" fits where "-b99" does. */
    public static String checkPod(String imageName, String specHash) {
        return base(imageName, specHash) + "-chk";
    }

    public static String configMap(String imageName, String specHash) {
        return base(imageName, specHash) + "-manifest";
    }

    public static String build(int index) {
        return "b" + index;
    }

    /** Label values are at most 63 characters; longer image names keep a hash of the rest. */
    public static String imageLabel(String imageName) {
        if (imageName.length() <= DNS_LABEL) {
            return imageName;
        }
        String hash = Sha256.hex(imageName.getBytes(java.nio.charset.StandardCharsets.UTF_8)).substring(0, 8);
        return imageName.substring(0, DNS_LABEL - 9).replaceAll("[-.]+$", "") + "-" + hash;
    }

    /** Labels shared by every child of one generation; the pods' anti-affinity selects on them. */
    public static Map<String, String> generationLabels(String imageName, String specHash) {
        Map<String, String> labels = new TreeMap<>();
        labels.put(LABEL_MANAGED_BY, MANAGED_BY);
        labels.put(LABEL_IMAGE, imageLabel(imageName));
        labels.put(LABEL_SPEC_HASH, specHash);
        return labels;
    }
}
