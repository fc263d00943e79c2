package dev.twinbuild.pipeline.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinbuild.pipeline.InputException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pulls an image pinned by digest over the registry v2 API, authenticated as Docker does (Basic, Bearer
 * tokens, credentials in Docker's config format; see {@link RegistryAuth}). The digest pins the manifest,
 * the manifest pins the layers: every byte is verified through the cache. Network errors, 429 and 5xx are
 * retried and end as {@link InputUnreachableException}; 404 and refused credentials are bad input.
 */
public final class OciPuller {
    private static final String ACCEPT = String.join(",",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final int MAX_MANIFEST = 4 << 20;
    private static final int MAX_TRIES = 3;

    private final Fetcher fetcher;
    private final ObjectMapper json = new ObjectMapper();
    private final RegistryAuth auth;

    public OciPuller(Fetcher fetcher) {
        this(fetcher, DockerConfig.fromEnvironment());
    }

    public OciPuller(Fetcher fetcher, DockerConfig credentials) {
        this.fetcher = fetcher;
        this.auth = new RegistryAuth(credentials, fetcher.http());
    }

    /** @return the layer blobs, in order, each verified and cached */
    public List<Path> pull(String image, String platform, String field) throws IOException {
        ImageRef ref = ImageRef.parse(image, field);
        JsonNode manifest = manifest(ref, ref.digest(), field);
        if (manifest.has("manifests")) {
            String digest = null;
            for (JsonNode d : manifest.get("manifests")) {
                JsonNode p = d.path("platform");
                String plat = p.path("os").asText() + "/" + p.path("architecture").asText()
                        + (p.hasNonNull("variant") ? "/" + p.get("variant").asText() : "");
                if (plat.equals(platform) || plat.startsWith(platform + "/") && digest == null) {
                    digest = d.get("digest").asText();
                }
            }
            if (digest == null) {
                throw new InputException(field + ".platform", "image index has no manifest for " + platform);
            }
            manifest = manifest(ref, digest, field);
        }
        List<Path> layers = new ArrayList<>();
        for (JsonNode l : manifest.path("layers")) {
            String digest = l.path("digest").asText();
            if (!digest.matches("sha256:[a-f0-9]{64}")) {
                throw new InputException(field + ".image", "layer digest '" + digest + "' is not sha256");
            }
            String hex = digest.substring(7);
            Path cached = fetcher.cached(hex);
            if (!Files.isRegularFile(cached)) {
                cached = get(ref, "blobs/" + digest, field, in -> fetcher.store(in, hex, field));
            }
            layers.add(cached);
        }
        if (layers.isEmpty()) {
            throw new InputException(field + ".image", "manifest lists no layers");
        }
        return layers;
    }

    private JsonNode manifest(ImageRef ref, String digest, String field) throws IOException {
        if (!digest.matches("sha256:[a-f0-9]{64}")) {
            throw new InputException(field + ".image", "manifest digest '" + digest + "' is not sha256");
        }
        String hex = digest.substring("sha256:".length());
        Path cached = fetcher.cached(hex);
        if (!Files.isRegularFile(cached)) {
            cached = get(ref, "manifests/" + digest, field,
                    in -> fetcher.store(new ByteArrayInputStream(in.readNBytes(MAX_MANIFEST)), hex, field));
        }
        return json.readTree(cached.toFile());
    }

    private <T> T get(ImageRef ref, String path, String field, HttpGet.BodyReader<T> reader) throws IOException {
        URI uri = URI.create(scheme(ref.host()) + "://" + ref.host() + "/v2/" + ref.repository() + "/" + path);
        for (int attempt = 1; ; attempt++) {
            Map<String, String> headers = new HashMap<>();
            headers.put("Accept", ACCEPT);
            String sent = auth.header(ref);
            if (sent != null) {
                headers.put("Authorization", sent);
            }
            HttpGet.Result<T> r = fetcher.http().get(uri, headers, field + ".image", reader);
            if (r.refused() == null) {
                return r.value();
            }
            int status = r.refused().status();
            if (status == 401 && attempt < MAX_TRIES) {
                auth.challenged(ref, r.refused().header("WWW-Authenticate"), sent, field + ".image");
                continue;
            }
            throw new InputException(field + ".image", "GET " + Redaction.url(uri) + " answered HTTP " + status
                    + (status == 404 ? " (no such image or blob in " + ref.registry() + "/" + ref.repository() + ")"
                    : status == 401 || status == 403 ? " (credentials for " + ref.registry() + " missing or refused)"
                    : ""));
        }
    }

    private static String scheme(String host) {
        String insecure = System.getenv().getOrDefault("TWINBUILD_INSECURE_REGISTRIES", "");
        boolean local = host.startsWith("localhost") || host.startsWith("127.");
        return local || List.of(insecure.split(",")).contains(host) ? "http" : "https";
    }
}
