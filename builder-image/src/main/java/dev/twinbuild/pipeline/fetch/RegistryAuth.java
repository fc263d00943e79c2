package dev.twinbuild.pipeline.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Registry v2 authentication as Docker does it: a 401 carries a WWW-Authenticate challenge; Basic is
 * answered with the registry's credentials, Bearer with a token from the challenge's realm (asked with
 * those credentials, or anonymously), and a 401 on a token we already hold means it expired: one fresh
 * token is fetched before the refusal is final.
 */
final class RegistryAuth {
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DockerConfig config;
    private final HttpGet http;
    /** Per API host: "Basic …" or "Bearer …" to send. */
    private final Map<String, String> authorization = new HashMap<>();

    RegistryAuth(DockerConfig config, HttpGet http) {
        this.config = config;
        this.http = http;
    }

    /** The Authorization header for this registry, once a challenge asked for one. */
    String header(ImageRef ref) {
        return authorization.get(ref.host());
    }

    /**
     * Answers a 401. Returns normally when the request is worth sending again with {@link #header}; throws
     * an {@link InputException} when it is not (no credentials, credentials refused).
     *
     * @param sent the Authorization header the refused request carried (null: none)
     */
    void challenged(ImageRef ref, String challenge, String sent, String field) throws IOException {
        DockerConfig.Credentials creds = config.forRegistry(ref.registry());
        String where = "registry " + ref.registry() + (ref.registry().equals(ref.host()) ? "" : " (" + ref.host() + ")");
        String scheme = challenge == null ? "" : challenge.strip().split("\\s+", 2)[0];
        if (scheme.equalsIgnoreCase("Basic")) {
            if (creds == null) {
                throw new InputException(field, where + " asks for credentials (Basic) and none are configured for it"
                        + " (imagePullSecrets of the namespace's service account, or " + DockerConfig.ENV + ")");
            }
            if (sent != null) {
                throw new InputException(field, where + " refused the credentials of user '" + creds.username()
                        + "' (HTTP 401)");
            }
            authorization.put(ref.host(), creds.basic());
            return;
        }
        if (!scheme.equalsIgnoreCase("Bearer")) {
            throw new InputException(field, where + " answered 401 with an unsupported challenge '" + scheme + "'");
        }
        if (sent != null && sent.startsWith("Bearer ") && !sent.equals(authorization.get(ref.host()))) {
            return; // another request already refreshed the token
        }
        if (sent != null && sent.startsWith("Basic ")) {
            throw new InputException(field, where + " refused the credentials (HTTP 401)");
        }
        authorization.put(ref.host(), "Bearer " + token(ref, challenge, creds, where, field));
    }

    private String token(ImageRef ref, String challenge, DockerConfig.Credentials creds, String where, String field)
            throws IOException {
        Map<String, String> p = new HashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            p.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
        }
        String realm = p.get("realm");
        if (realm == null || !(realm.startsWith("https://") || realm.startsWith("http://"))) {
            throw new InputException(field, where + ": bearer challenge without a usable realm");
        }
        StringBuilder q = new StringBuilder(realm);
        String sep = realm.contains("?") ? "&" : "?";
        String scope = p.getOrDefault("scope", "repository:" + ref.repository() + ":pull");
        for (String[] kv : new String[][]{{"service", p.get("service")}, {"scope", scope}}) {
            if (kv[1] != null) {
                q.append(sep).append(kv[0]).append('=').append(URLEncoder.encode(kv[1], StandardCharsets.UTF_8));
                sep = "&";
            }
        }
        URI uri = URI.create(q.toString());
        Map<String, String> headers = new HashMap<>();
        if (creds != null) {
            headers.put("Authorization", creds.basic());
        }
        HttpGet.Result<JsonNode> r = http.get(uri, headers, field, in -> JSON.readTree(in.readNBytes(1 << 20)));
        if (r.refused() != null) {
            throw new InputException(field, where + ": token endpoint " + Redaction.url(uri) + " answered HTTP "
                    + r.refused().status() + (creds == null ? " (no credentials configured for it)"
                    : " for user '" + creds.username() + "'"));
        }
        JsonNode t = r.value();
        String token = t.hasNonNull("token") ? t.get("token").asText() : t.path("access_token").asText();
        if (token.isEmpty()) {
            throw new InputException(field, where + ": token endpoint returned no token");
        }
        return token;
    }
}
