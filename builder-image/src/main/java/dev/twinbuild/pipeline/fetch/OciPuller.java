package dev.twinbuild.pipeline.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls an image pinned by digest over the registry v2 API (anonymous bearer tokens supported).
 * The digest pins the manifest, the manifest pins the layers: every byte is verified through the cache.
 */
public final class OciPuller {
    private static final String ACCEPT = String.join(",",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final Pattern REF = Pattern.compile("^([^/]+)/(.+)@(sha256:([a-f0-9]{64}))$");
    private static final Pattern BEARER = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final long MAX_MANIFEST = 4 << 20;

    private final Fetcher fetcher;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, String> tokens = new HashMap<>();

    public OciPuller(Fetcher fetcher) {
        this.fetcher = fetcher;
    }

    /** @return the layer blobs, in order, each verified and cached */
    public List<Path> pull(String image, String platform, String field) throws IOException {
        Matcher m = REF.matcher(image);
        if (!m.matches()) {
            throw new InputException(field + ".image", "must be registry/repository@sha256:<64 hex>");
        }
        String host = m.group(1);
        String repo = m.group(2);
        String base = scheme(host) + "://" + host + "/v2/" + repo;
        JsonNode manifest = manifest(base, m.group(3), field);
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
            manifest = manifest(base, digest, field);
        }
        List<Path> layers = new ArrayList<>();
        for (JsonNode l : manifest.path("layers")) {
            String digest = l.path("digest").asText();
            if (!digest.startsWith("sha256:")) {
                throw new InputException(field + ".image", "layer digest '" + digest + "' is not sha256");
            }
            String hex = digest.substring(7);
            Path cached = fetcher.cached(hex);
            if (!Files.isRegularFile(cached)) {
                try (InputStream in = blob(base, "blobs/" + digest, field)) {
                    cached = fetcher.store(in, hex, field);
                }
            }
            layers.add(cached);
        }
        if (layers.isEmpty()) {
            throw new InputException(field + ".image", "manifest lists no layers");
        }
        return layers;
    }

    private JsonNode manifest(String base, String digest, String field) throws IOException {
        String hex = digest.substring("sha256:".length());
        Path cached = fetcher.cached(hex);
        if (!Files.isRegularFile(cached)) {
            try (InputStream in = blob(base, "manifests/" + digest, field)) {
                cached = fetcher.store(new java.io.ByteArrayInputStream(in.readNBytes((int) MAX_MANIFEST)), hex,
                        field);
            }
        }
        return json.readTree(cached.toFile());
    }

    private InputStream blob(String base, String path, String field) throws IOException {
        URI uri = URI.create(base + "/" + path);
        Map<String, String> headers = new HashMap<>();
        headers.put("Accept", ACCEPT);
        String token = tokens.get(base);
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        HttpResponse<InputStream> r = fetcher.get(uri, headers, field + ".image");
        if (r.statusCode() == 401 && token == null) {
            String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
            r.body().close();
            tokens.put(base, token(challenge, field));
            return blob(base, path, field);
        }
        if (r.statusCode() != 200) {
            r.body().close();
            throw new InputException(field + ".image", "GET " + uri + " answered HTTP " + r.statusCode());
        }
        return r.body();
    }

    private String token(String challenge, String field) throws IOException {
        if (!challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new InputException(field + ".image", "registry asks for credentials: " + challenge);
        }
        Map<String, String> p = new HashMap<>();
        Matcher m = BEARER.matcher(challenge);
        while (m.find()) {
            p.put(m.group(1), m.group(2));
        }
        StringBuilder q = new StringBuilder(p.getOrDefault("realm", ""));
        String sep = q.indexOf("?") < 0 ? "?" : "&";
        for (String k : new String[]{"service", "scope"}) {
            if (p.containsKey(k)) {
                q.append(sep).append(k).append('=').append(URLEncoder.encode(p.get(k), StandardCharsets.UTF_8));
                sep = "&";
            }
        }
        HttpResponse<InputStream> r = fetcher.get(URI.create(q.toString()), Map.of(), field + ".image");
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new InputException(field + ".image", "token endpoint answered HTTP " + r.statusCode());
            }
            JsonNode t = json.readTree(in.readNBytes(1 << 20));
            String token = t.hasNonNull("token") ? t.get("token").asText() : t.path("access_token").asText();
            if (token.isEmpty()) {
                throw new InputException(field + ".image", "token endpoint returned no token");
            }
            return token;
        }
    }

    private static String scheme(String host) {
        String insecure = System.getenv().getOrDefault("TWINBUILD_INSECURE_REGISTRIES", "");
        boolean local = host.startsWith("localhost") || host.startsWith("127.");
        return local || List.of(insecure.split(",")).contains(host) ? "http" : "https";
    }
}
