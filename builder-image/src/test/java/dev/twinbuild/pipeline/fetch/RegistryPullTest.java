package dev.twinbuild.pipeline.fetch;

import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.assemble.Decompressors;
import dev.twinbuild.testing.DockerRegistry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** OciPuller against a real distribution registry (Debian's docker-registry) with htpasswd auth. */
class RegistryPullTest {
    private static final String FIELD = "spec.layers[0].oci";
    private static final Retry FAST = new Retry(3, Duration.ofMillis(100), Duration.ofMillis(400));

    @TempDir
    static Path tmp;
    private static DockerRegistry registry;
    private static String image;
    private static byte[] gz;
    private static byte[] xz;

    @BeforeAll
    static void registry() throws Exception {
        registry = DockerRegistry.withBasicAuth(tmp.resolve("registry"));
        gz = layer("gz", "etc/from-gzip", "gzip layer\n");
        xz = layer("xz", "etc/from-xz", "xz layer\n");
        String digest = registry.push("team/base", List.of(gz, xz), List.of(
                "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+xz"),
                registry.basic());
        image = registry.host() + "/team/base@" + digest;
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    private static byte[] layer(String compression, String path, String content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream c = compression.equals("xz") ? new XZCompressorOutputStream(bytes) : new GZIPOutputStream(bytes);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(c)) {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry(path);
            e.setSize(data.length);
            e.setModTime(1_700_000_000_000L);
            tar.putArchiveEntry(e);
            tar.write(data);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private OciPuller puller(Path cache, DockerConfig creds, Retry retry) {
        return new OciPuller(new Fetcher(cache, 1 << 24, retry), creds);
    }

    private static String firstEntry(Path blob) throws IOException {
        try (InputStream in = Decompressors.open(Files.newInputStream(blob), "layer");
             TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e = tar.getNextEntry();
            return e.getName() + "=" + new String(tar.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void pullsWithTheCredentialsOfADockerConfigAndReadsGzipAndXzLayers(@TempDir Path dir) throws Exception {
        DockerConfig creds = DockerConfig.load(registry.dockerConfig(dir.resolve("config.json"), DockerRegistry.PASSWORD));
        List<Path> layers = puller(dir.resolve("cache"), creds, FAST).pull(image, "linux/amd64", FIELD);

        assertThat(layers).extracting(p -> p.getFileName().toString())
                .containsExactly(Hashes.sha256(gz), Hashes.sha256(xz));
        List<String> entries = new ArrayList<>();
        for (Path l : layers) {
            entries.add(firstEntry(l));
        }
        assertThat(entries).containsExactly("etc/from-gzip=gzip layer\n", "etc/from-xz=xz layer\n");
    }

    @Test
    void credentialsFromADirectoryOfMountedSecretsAreFound(@TempDir Path dir) throws Exception {
        // As the operator mounts imagePullSecrets: one directory per Secret, key .dockerconfigjson.
        Path secret = Files.createDirectories(dir.resolve("auth/team-pull"));
        registry.dockerConfig(secret.resolve(".dockerconfigjson"), DockerRegistry.PASSWORD);
        Files.writeString(Files.createDirectories(dir.resolve("auth/other")).resolve("token"), "not json");
        DockerConfig creds = DockerConfig.load(dir.resolve("auth"));

        assertThat(puller(dir.resolve("cache"), creds, FAST).pull(image, "linux/amd64", FIELD)).hasSize(2);
    }

    @Test
    void withoutCredentialsThePullIsBadInputNamingTheRegistry(@TempDir Path dir) {
        assertThatThrownBy(() -> puller(dir, DockerConfig.empty(), FAST).pull(image, "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.field()).isEqualTo(FIELD + ".image");
                    assertThat(e.getMessage()).contains("registry " + registry.host(), "asks for credentials");
                });
    }

    @Test
    void aWrongPasswordIsRefusedNamingTheUserNotThePassword(@TempDir Path dir) throws Exception {
        DockerConfig creds = DockerConfig.load(registry.dockerConfig(dir.resolve("config.json"), "wrong-password"));
        assertThatThrownBy(() -> puller(dir.resolve("cache"), creds, FAST).pull(image, "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> assertThat(e.getMessage())
                        .contains("refused the credentials", DockerRegistry.USER).doesNotContain("wrong-password"));
    }

    @Test
    void aMissingImageIsPermanentAndNamesTheUrl(@TempDir Path dir) throws Exception {
        DockerConfig creds = DockerConfig.load(registry.dockerConfig(dir.resolve("config.json"), DockerRegistry.PASSWORD));
        String missing = registry.host() + "/team/base@sha256:" + "0".repeat(64);
        assertThatThrownBy(() -> puller(dir.resolve("cache"), creds, FAST).pull(missing, "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> assertThat(e.getMessage())
                        .contains("HTTP 404", "http://" + registry.host() + "/v2/team/base/manifests/sha256:0000"));
    }

    @Test
    void aRegistryThatIsDownIsUnreachableNotBadInputAndOneThatComesBackIsPulled(@TempDir Path dir) throws Exception {
        DockerConfig creds = DockerConfig.load(registry.dockerConfig(dir.resolve("config.json"), DockerRegistry.PASSWORD));
        registry.stop();
        try {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> puller(dir.resolve("c1"), creds, FAST).pull(image, "linux/amd64", FIELD))
                    .isInstanceOfSatisfying(InputUnreachableException.class, e -> {
                        assertThat(e.reason()).isEqualTo("InputUnreachable");
                        assertThat(e.getMessage()).contains(FIELD + ".image", "failed 3 time(s)", registry.host());
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("bounded backoff").isLessThan(Duration.ofSeconds(5));

            // Back within the retries: the pull goes through.
            CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> {
                try {
                    registry.start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, CompletableFuture.delayedExecutor(800, java.util.concurrent.TimeUnit.MILLISECONDS)); // the outage
            List<Path> layers = puller(dir.resolve("c2"), creds, new Retry(12, Duration.ofMillis(200),
                    Duration.ofMillis(800))).pull(image, "linux/amd64", FIELD);
            restart.join();
            assertThat(layers).hasSize(2);
        } finally {
            if (!listening(registry)) {
                registry.start();
            }
        }
    }

    private static boolean listening(DockerRegistry r) {
        try {
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(r.base() + "/v2/")).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void dockerHubIsMappedAsDockerMapsIt() {
        String d = "sha256:" + "c".repeat(64);
        assertThat(ImageRef.parse("docker.io/debian@" + d, FIELD))
                .isEqualTo(new ImageRef("registry-1.docker.io", "docker.io", "library/debian", d));
        assertThat(ImageRef.parse("index.docker.io/team/app@" + d, FIELD))
                .isEqualTo(new ImageRef("registry-1.docker.io", "docker.io", "team/app", d));
        assertThat(ImageRef.parse("ghcr.io/team/app@" + d, FIELD))
                .isEqualTo(new ImageRef("ghcr.io", "ghcr.io", "team/app", d));
        assertThat(DockerConfig.host("https://index.docker.io/v1/")).isEqualTo("docker.io");
        assertThat(DockerConfig.host("http://localhost:5000/anything")).isEqualTo("localhost:5000");
    }
}
