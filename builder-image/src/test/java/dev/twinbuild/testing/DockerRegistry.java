package dev.twinbuild.testing;

import dev.twinbuild.pipeline.Hashes;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker-registry (the CNCF distribution registry, v2 API) on 127.0.0.1, with htpasswd (Basic)
 * auth or token auth, started by the test and pushed to over its own HTTP API.
 */
public final class DockerRegistry implements AutoCloseable {
    public static final String USER = "builder";
    public static final String PASSWORD = "s3cret-pass";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    private final Path dir;
    private final int port;
    private final String auth;
    private Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * @param authYaml the config's {@code auth:} section (indented by 2), or null for an open registry
     */
    private DockerRegistry(Path dir, String authYaml) throws IOException {
        this.dir = dir;
        this.port = freePort();
        this.auth = authYaml;
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log: {level: warn, accesslog: {disabled: true}}
                storage:
                  filesystem: {rootdirectory: %s}
                  delete: {enabled: true}
                http:
                  addr: 127.0.0.1:%d
                %s""".formatted(dir.resolve("data"), port, authYaml == null ? "" : "auth:\n" + authYaml));
    }

    /** A registry that asks for Basic credentials (htpasswd, bcrypt) for everything. */
    public static DockerRegistry withBasicAuth(Path dir) throws Exception {
        Required.tools("docker-registry", "htpasswd");
        Files.createDirectories(dir);
        Process p = new ProcessBuilder("htpasswd", "-Bbn", USER, PASSWORD).redirectErrorStream(true).start();
        byte[] line = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("htpasswd failed: " + new String(line, StandardCharsets.UTF_8));
        }
        Files.write(dir.resolve("htpasswd"), line);
        DockerRegistry r = new DockerRegistry(dir, "  htpasswd: {realm: twinbuild-test, path: %s}\n"
                .formatted(dir.resolve("htpasswd")));
        r.start();
        return r;
    }

    /** A registry that trusts tokens signed by the key of {@code rootCert} (distribution's token auth). */
    public static DockerRegistry withTokenAuth(Path dir, String realm, Path rootCert) throws Exception {
        Required.tools("docker-registry");
        DockerRegistry r = new DockerRegistry(dir, ("  token: {realm: \"%s\", service: twinbuild-registry, "
                + "issuer: twinbuild-test-issuer, rootcertbundle: %s}\n").formatted(realm, rootCert));
        r.start();
        return r;
    }

    public void start() throws Exception {
        Path bin = Required.path("docker-registry");
        process = new ProcessBuilder(bin.toString(), "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions().until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("exited");
                        }
                        int s = http.send(HttpRequest.newBuilder(URI.create(base() + "/v2/")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        return s == 200 || s == 401;
                    });
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("docker-registry did not start: " + Files.readString(
                    dir.resolve("registry.log")), e);
        }
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    public String base() {
        return "http://" + host();
    }

    public String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    }

    /** A Docker config.json with this registry's credentials. */
    public Path dockerConfig(Path file, String password) throws IOException {
        String auth64 = Base64.getEncoder().encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8));
        Files.writeString(file, "{\"auths\":{\"http://" + host() + "\":{\"auth\":\"" + auth64 + "\"}}}");
        return file;
    }

    /**
     * Pushes an OCI image (a config and the given layers, each with its media type) and returns its
     * manifest digest.
     *
     * @param authorization sent with every request (null: none)
     */
    public String push(String repo, List<byte[]> layers, List<String> mediaTypes, String authorization)
            throws Exception {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        blob(repo, config, authorization);
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            blob(repo, layers.get(i), authorization);
            entries.add("{\"mediaType\":\"" + mediaTypes.get(i) + "\",\"digest\":\"sha256:"
                    + Hashes.sha256(layers.get(i)) + "\",\"size\":" + layers.get(i).length + "}");
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + Hashes.sha256(config)
                + "\",\"size\":" + config.length + "},\"layers\":[" + String.join(",", entries) + "]}")
                .getBytes(StandardCharsets.UTF_8);
        String digest = "sha256:" + Hashes.sha256(manifest);
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(base() + "/v2/" + repo + "/manifests/" + digest))
                .header("Content-Type", OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest));
        expect(send(put, authorization), 201, "manifest PUT");
        return digest;
    }

    private void blob(String repo, byte[] data, String authorization) throws Exception {
        HttpResponse<String> start = send(HttpRequest.newBuilder(URI.create(base() + "/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()), authorization);
        expect(start, 202, "upload start");
        String location = start.headers().firstValue("Location").orElseThrow();
        URI uri = URI.create(base()).resolve(location);
        String sep = uri.getQuery() == null ? "?" : "&";
        HttpResponse<String> done = send(HttpRequest.newBuilder(URI.create(uri + sep + "digest=sha256:"
                        + Hashes.sha256(data))).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)), authorization);
        expect(done, 201, "blob PUT");
    }

    private HttpResponse<String> send(HttpRequest.Builder b, String authorization) throws Exception {
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(what + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
