package dev.twinbuild.operator.policy;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.PvcStore;
import dev.twinbuild.api.v1alpha1.S3Store;
import dev.twinbuild.api.v1alpha1.SystemImageSpec;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an admin lets a SystemImage's author choose: the builder image and the artifact store. By default
 * nothing: the operator's configured image and its own store. A refusal names the field and the setting
 * that would allow it, so that the author knows whom to ask.
 *
 * @param builderImages       images {@code spec.builderImage} may name besides the configured one: exact
 *                            references, or prefixes ending in {@code *}
 * @param requireDigest       a tenant-named image must be pinned by digest (a tag can move between the
 *                            builds of one verification)
 * @param s3Stores            S3 stores {@code spec.store.s3} may name besides the operator's own, each
 *                            {@code <endpoint>/<bucket>} ({@code *} for any bucket of that endpoint)
 * @param pvcAllowed          whether {@code spec.store.pvc} may name a claim of its namespace
 * @param pvcClaims           the claims it may name; empty: any
 */
public record TenantPolicy(List<String> builderImages, boolean requireDigest, List<String> s3Stores,
                           boolean pvcAllowed, List<String> pvcClaims) {
    public static final String BUILDER_IMAGE_NOT_ALLOWED = "BuilderImageNotAllowed";
    public static final String BUILDER_IMAGE_NOT_PINNED = "BuilderImageNotPinned";
    public static final String STORE_NOT_ALLOWED = "StoreNotAllowed";
    public static final String PVC_STORE_NOT_ALLOWED = "PvcStoreNotAllowed";
    private static final Set<String> REASONS = Set.of(BUILDER_IMAGE_NOT_ALLOWED, BUILDER_IMAGE_NOT_PINNED,
            STORE_NOT_ALLOWED, PVC_STORE_NOT_ALLOWED);

    // "Helm value (operator setting)": the names an admin looks for.
    static final String SETTING_IMAGES = "Helm value policy.builderImages (twinbuild.policy.builder-images)";
    static final String SETTING_DIGEST =
            "Helm value policy.builderImageDigestRequired (twinbuild.policy.builder-image-digest-required)";
    static final String SETTING_S3 = "Helm value policy.stores.s3 (twinbuild.policy.s3-stores)";
    static final String SETTING_PVC = "Helm value policy.stores.pvc.allowed (twinbuild.policy.pvc-allowed)";
    static final String SETTING_PVC_CLAIMS = "Helm value policy.stores.pvc.claims (twinbuild.policy.pvc-claims)";

    private static final Pattern DIGEST_REF = Pattern.compile("^[^@\\s]+@sha256:[0-9a-f]{64}$");
    private static final int MAX_LISTED = 5;

    /** Why a spec is refused: {@code reason} goes into the Stalled condition, {@code message} names field and setting. */
    public record Refusal(String reason, String message) {
    }

    public TenantPolicy {
        builderImages = List.copyOf(builderImages);
        s3Stores = List.copyOf(s3Stores);
        pvcClaims = List.copyOf(pvcClaims);
        for (String entry : s3Stores) {
            S3Location.ofEntry(entry); // fail at start-up, naming the entry, rather than at the first spec
        }
    }

    /** Nothing beyond the operator's own image and store. */
    public static TenantPolicy closed() {
        return new TenantPolicy(List.of(), true, List.of(), false, List.of());
    }

    public static boolean isPolicyReason(String reason) {
        return reason != null && REASONS.contains(reason);
    }

    /**
     * @param configuredImage the operator's builder image, always allowed
     * @param defaultStore    the operator's own store (null if none), always allowed when named again
     */
    public Optional<Refusal> check(SystemImageSpec spec, String configuredImage, ArtifactStore defaultStore) {
        Optional<Refusal> image = checkImage(spec.builderImage, configuredImage);
        return image.isPresent() ? image : checkStore(spec.store, defaultStore);
    }

    private Optional<Refusal> checkImage(String image, String configuredImage) {
        if (image == null || image.equals(configuredImage)) {
            return Optional.empty();
        }
        String field = "spec.builderImage \"" + image + "\"";
        if (builderImages.isEmpty()) {
            return refuse(BUILDER_IMAGE_NOT_ALLOWED, field + " is not allowed: this operator runs only its configured "
                    + "builder image \"" + configuredImage + "\" (an admin may allow others with the " + SETTING_IMAGES + ")");
        }
        if (builderImages.stream().noneMatch(entry -> matches(entry, image))) {
            return refuse(BUILDER_IMAGE_NOT_ALLOWED, field + " is not allowed: it is neither the configured builder "
                    + "image nor in the " + SETTING_IMAGES + ": " + listed(builderImages));
        }
        if (requireDigest && !DIGEST_REF.matcher(image).matches()) {
            return refuse(BUILDER_IMAGE_NOT_PINNED, field + " must be pinned by digest (<name>@sha256:<64 hex>): "
                    + "a tag can point at another image between the builds (" + SETTING_DIGEST + " is true)");
        }
        return Optional.empty();
    }

    private static boolean matches(String entry, String image) {
        return entry.endsWith("*") ? image.startsWith(entry.substring(0, entry.length() - 1)) : entry.equals(image);
    }

    private Optional<Refusal> checkStore(ArtifactStore store, ArtifactStore defaultStore) {
        if (store == null) {
            return Optional.empty();
        }
        if (store.s3 != null) {
            return checkS3(store.s3, defaultStore == null ? null : defaultStore.s3);
        }
        if (store.pvc != null) {
            return checkPvc(store.pvc, defaultStore == null ? null : defaultStore.pvc);
        }
        return Optional.empty();
    }

    private Optional<Refusal> checkS3(S3Store s3, S3Store own) {
        String field = "spec.store.s3 (endpoint \"" + s3.endpoint + "\", bucket \"" + s3.bucket + "\")";
        S3Location named;
        try {
            named = S3Location.of(s3.endpoint, s3.bucket);
        } catch (IllegalArgumentException e) {
            return refuse(STORE_NOT_ALLOWED, "spec.store.s3.endpoint: " + e.getMessage());
        }
        // The operator's own store, named again: only as it is configured (a prefix of one's own choice
        // could reach into another namespace's keys).
        if (own != null && named.equals(S3Location.of(own.endpoint, own.bucket))
                && Objects.equals(blankToNull(s3.prefix), blankToNull(own.prefix))) {
            return Optional.empty();
        }
        if (s3Stores.stream().map(S3Location::ofEntry).anyMatch(allowed -> allowed.admits(named))) {
            return Optional.empty();
        }
        return refuse(STORE_NOT_ALLOWED, field + " is not allowed: SystemImages may use only the operator's own store"
                + (s3Stores.isEmpty() ? "" : " and the " + SETTING_S3 + ": " + listed(s3Stores))
                + (s3Stores.isEmpty() ? " (an admin may allow others with the " + SETTING_S3 + ")" : ""));
    }

    private Optional<Refusal> checkPvc(PvcStore pvc, PvcStore own) {
        if (own != null && Objects.equals(pvc.claimName, own.claimName)
                && Objects.equals(blankToNull(pvc.subPath), blankToNull(own.subPath))) {
            return Optional.empty();
        }
        String field = "spec.store.pvc (claim \"" + pvc.claimName + "\")";
        if (!pvcAllowed) {
            return refuse(PVC_STORE_NOT_ALLOWED, field + " is not allowed: PVC stores are off (" + SETTING_PVC + " is false)");
        }
        if (!pvcClaims.isEmpty() && !pvcClaims.contains(pvc.claimName)) {
            return refuse(PVC_STORE_NOT_ALLOWED, field + " is not allowed: the " + SETTING_PVC_CLAIMS + " lists only "
                    + listed(pvcClaims));
        }
        return Optional.empty();
    }

    private static Optional<Refusal> refuse(String reason, String message) {
        return Optional.of(new Refusal(reason, message));
    }

    /** A bounded, quoted list for messages. */
    private static String listed(List<String> entries) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(MAX_LISTED, entries.size()); i++) {
            out.append(i == 0 ? "" : ", ").append('"').append(entries.get(i)).append('"');
        }
        return entries.size() > MAX_LISTED ? out + " and " + (entries.size() - MAX_LISTED) + " more" : out.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** An S3 endpoint compared as a server (scheme, host, port, path), and a bucket ({@code null}: any). */
    record S3Location(String scheme, String host, int port, String path, String bucket) {

        static S3Location of(String endpoint, String bucket) {
            URI uri;
            try {
                uri = new URI(endpoint);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a URL: " + e.getMessage());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new IllegalArgumentException("\"" + endpoint + "\" is not an http(s) URL with a host");
            }
            if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("an endpoint must not carry user info, a query or a fragment");
            }
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
            return new S3Location(scheme, uri.getHost().toLowerCase(Locale.ROOT), port, path, bucket);
        }

        /** {@code <endpoint>/<bucket>}: the bucket is the last path segment, {@code *} for any. */
        static S3Location ofEntry(String entry) {
            int slash = entry.lastIndexOf('/');
            String bucket = slash < 0 ? "" : entry.substring(slash + 1);
            if (slash < 0 || bucket.isEmpty() || entry.substring(0, slash).endsWith("/")) {
                throw new IllegalArgumentException(SETTING_S3 + ": \"" + entry
                        + "\" is not <endpoint>/<bucket> (e.g. https://s3.example:9000/artifacts, or .../* for any bucket)");
            }
            try {
                return of(entry.substring(0, slash), bucket.equals("*") ? null : bucket);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(SETTING_S3 + ": \"" + entry + "\": " + e.getMessage());
            }
        }

        boolean admits(S3Location named) {
            return scheme.equals(named.scheme) && host.equals(named.host) && port == named.port
                    && path.equals(named.path) && (bucket == null || bucket.equals(named.bucket));
        }
    }
}
