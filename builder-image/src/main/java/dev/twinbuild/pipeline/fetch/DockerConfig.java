package dev.twinbuild.pipeline.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Registry credentials in Docker's formats: {@code config.json} / a {@code kubernetes.io/dockerconfigjson}
 * Secret's {@code .dockerconfigjson} ({"auths": {host: {auth | username+password}}}) and the older
 * {@code .dockercfg} (the same map without "auths"). Keys are matched as Docker matches them: by host,
 * whatever scheme or path they carry; Docker Hub is {@code https://index.docker.io/v1/}.
 */
public final class DockerConfig {
    /** A file, or a directory searched (sorted, to one level of Secret mounts) for such files. */
    public static final String ENV = "TWINBUILD_REGISTRY_AUTH";
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Credentials(String username, String password) {
        public String basic() {
            return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password)
                    .getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return "Credentials[" + username + ", ****]";
        }
    }

    private final Map<String, Credentials> byHost;

    DockerConfig(Map<String, Credentials> byHost) {
        this.byHost = byHost;
    }

    public static DockerConfig empty() {
        return new DockerConfig(Map.of());
    }

    /** $TWINBUILD_REGISTRY_AUTH, else $DOCKER_CONFIG/config.json, else ~/.docker/config.json (if present). */
    public static DockerConfig fromEnvironment() {
        String explicit = System.getenv(ENV);
        if (explicit != null && !explicit.isBlank()) {
            return load(Path.of(explicit));
        }
        String dir = System.getenv("DOCKER_CONFIG");
        Path file = dir != null ? Path.of(dir, "config.json")
                : Path.of(System.getProperty("user.home", "/nonexistent"), ".docker", "config.json");
        return Files.isRegularFile(file) ? load(file) : empty();
    }

    /** Reads a file or every regular file below a directory; later files do not override earlier hosts. */
    public static DockerConfig load(Path path) {
        Map<String, Credentials> m = new TreeMap<>();
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.walk(path, 2)) {
                // Secret volumes hold ..data symlinks and timestamped copies: read the plain names only.
                s.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/..")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new IllegalStateException("cannot list registry credentials in " + path + ": " + e, e);
            }
        } else if (Files.isRegularFile(path)) {
            files.add(path);
        }
        for (Path f : files) {
            try {
                JsonNode root = JSON.readTree(Files.readAllBytes(f));
                JsonNode auths = root.has("auths") ? root.get("auths") : root;
                auths.fields().forEachRemaining(e -> {
                    Credentials c = credentials(e.getValue());
                    if (c != null) {
                        m.putIfAbsent(host(e.getKey()), c);
                    }
                });
            } catch (IOException | RuntimeException e) {
                // Not a Docker config (another key of the Secret): skip it, naming no content.
                System.err.println("twinbuild: ignoring " + f.getFileName() + ": not a Docker registry config");
            }
        }
        return new DockerConfig(m);
    }

    private static Credentials credentials(JsonNode n) {
        if (n.hasNonNull("auth") && !n.get("auth").asText().isEmpty()) {
            String decoded = new String(Base64.getDecoder().decode(n.get("auth").asText()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        if (n.hasNonNull("username") && n.hasNonNull("password")) {
            return new Credentials(n.get("username").asText(), n.get("password").asText());
        }
        return null;
    }

    /** "https://index.docker.io/v1/" → "docker.io"; "http://localhost:5000/x" → "localhost:5000". */
    static String host(String key) {
        String k = key.strip();
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
        }
        int slash = k.indexOf('/');
        if (slash >= 0) {
            k = k.substring(0, slash);
        }
        k = k.toLowerCase(java.util.Locale.ROOT);
        return k.equals("index.docker.io") || k.equals(ImageRef.DOCKER_HUB_API) ? ImageRef.DOCKER_HUB : k;
    }

    /** Credentials for a registry name (docker.io for Docker Hub), or null. */
    public Credentials forRegistry(String registry) {
        return byHost.get(host(registry));
    }
}
