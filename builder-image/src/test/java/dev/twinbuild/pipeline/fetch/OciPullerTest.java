package dev.twinbuild.pipeline.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.Pipeline;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** OciPuller against a small but real registry v2 server on 127.0.0.1 (optionally with bearer tokens). */
class OciPullerTest {
    private static final String FIELD = "spec.layers[0].oci";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    @TempDir
    Path tmp;

    private Registry registry;
    private Path cache;

    @BeforeEach
    void start() throws IOException {
        registry = new Registry();
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stop() {
        registry.stop();
    }

    // ---------------------------------------------------------------- a registry v2 server

    /** Serves /v2/&lt;repo&gt;/manifests/&lt;digest&gt; and /v2/&lt;repo&gt;/blobs/&lt;digest&gt; from maps. */
    static final class Registry {
        final HttpServer server;
        final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
        final Map<String, String> manifestTypes = new ConcurrentHashMap<>();
        final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        volatile boolean bearer;
        volatile String basicRealm;
        private static final Pattern PATH = Pattern.compile("^/v2/(.+)/(manifests|blobs)/([^/]+)$");

        Registry() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        String host() {
            return "127.0.0.1:" + port();
        }

        void stop() {
            server.stop(0);
        }

        long count(String prefix) {
            synchronized (log) {
                return log.stream().filter(l -> l.startsWith(prefix)).count();
            }
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                log.add(path + (ex.getRequestURI().getRawQuery() != null ? "?" + ex.getRequestURI().getRawQuery() : "")
                        + " auth=" + auth);
                if (path.equals("/token")) {
                    String q = ex.getRequestURI().getQuery();
                    if (q == null || !q.contains("service=test") || !q.contains("scope=repository:x:pull")) {
                        send(ex, 400, "text/plain", "bad token request".getBytes(StandardCharsets.UTF_8));
                    } else {
                        send(ex, 200, "application/json", "{\"token\":\"t\"}".getBytes(StandardCharsets.UTF_8));
                    }
                    return;
                }
                if (basicRealm != null) {
                    ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"" + basicRealm + "\"");
                    send(ex, 401, "text/plain", new byte[0]);
                    return;
                }
                if (bearer && !"Bearer t".equals(auth)) {
                    ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:" + port()
                            + "/token\",service=\"test\",scope=\"repository:x:pull\"");
                    send(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}"
                            .getBytes(StandardCharsets.UTF_8));
                    return;
                }
                Matcher m = PATH.matcher(path);
                if (!m.matches()) {
                    send(ex, 404, "text/plain", new byte[0]);
                    return;
                }
                String digest = m.group(3);
                if (m.group(2).equals("manifests")) {
                    byte[] body = manifests.get(digest);
                    if (body == null) {
                        send(ex, 404, "application/json", "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}"
                                .getBytes(StandardCharsets.UTF_8));
                    } else {
                        ex.getResponseHeaders().add("Docker-Content-Digest", digest);
                        send(ex, 200, manifestTypes.getOrDefault(digest, OCI_MANIFEST), body);
                    }
                } else {
                    byte[] body = blobs.get(digest);
                    if (body == null) {
                        send(ex, 404, "application/json", "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}"
                                .getBytes(StandardCharsets.UTF_8));
                    } else {
                        send(ex, 200, "application/octet-stream", body);
                    }
                }
            }
        }

        private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
            ex.getResponseHeaders().add("Content-Type", type);
            ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
        }

        /** Stores a blob under its true digest and returns the digest. */
        String blob(byte[] content) {
            String d = digest(content);
            blobs.put(d, content);
            return d;
        }

        /** Stores an image manifest (config + layers) under its true digest and returns the digest. */
        String image(byte[]... layers) {
            byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"},\"n\":"
                    + layers.length + "}").getBytes(StandardCharsets.UTF_8);
            ObjectNode m = JSON.createObjectNode();
            m.put("schemaVersion", 2);
            m.put("mediaType", OCI_MANIFEST);
            m.set("config", descriptor("application/vnd.oci.image.config.v1+json", blob(config), config.length));
            ArrayNode ls = m.putArray("layers");
            for (byte[] l : layers) {
                ls.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", blob(l), l.length));
            }
            return manifest(bytes(m), OCI_MANIFEST);
        }

        /** Stores an image index; platforms[i] is "os/arch[/variant]" for digests[i]. */
        String index(String[] platforms, String[] digests) {
            ObjectNode idx = JSON.createObjectNode();
            idx.put("schemaVersion", 2);
            idx.put("mediaType", OCI_INDEX);
            ArrayNode ms = idx.putArray("manifests");
            for (int i = 0; i < platforms.length; i++) {
                ObjectNode d = descriptor(OCI_MANIFEST, digests[i], manifests.get(digests[i]).length);
                String[] p = platforms[i].split("/");
                ObjectNode plat = d.putObject("platform");
                plat.put("architecture", p[1]);
                plat.put("os", p[0]);
                if (p.length > 2) {
                    plat.put("variant", p[2]);
                }
                ms.add(d);
            }
            return manifest(bytes(idx), OCI_INDEX);
        }

        String manifest(byte[] body, String type) {
            String d = digest(body);
            manifests.put(d, body);
            manifestTypes.put(d, type);
            return d;
        }

        String ref(String digest) {
            return host() + "/test/img@" + digest;
        }

        private static ObjectNode descriptor(String type, String digest, long size) {
            ObjectNode d = JSON.createObjectNode();
            d.put("mediaType", type);
            d.put("digest", digest);
            d.put("size", size);
            return d;
        }

        private static byte[] bytes(JsonNode n) {
            try {
                return JSON.writeValueAsBytes(n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static String digest(byte[] b) {
        return "sha256:" + Hashes.sha256(b);
    }

    // ---------------------------------------------------------------- layers

    /** A gzip-compressed tar layer built with commons-compress; entries are "name", "name/" (dir) or "name=content". */
    static byte[] layer(String... entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes), "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String spec : entries) {
                int eq = spec.indexOf('=');
                String name = eq < 0 ? spec : spec.substring(0, eq);
                boolean dir = name.endsWith("/");
                TarArchiveEntry e = new TarArchiveEntry(name, dir ? TarConstants.LF_DIR : TarConstants.LF_NORMAL);
                e.setMode(dir ? 0755 : 0644);
                e.setLastModifiedTime(FileTime.from(1_600_000_000L, TimeUnit.SECONDS));
                byte[] content = eq < 0 ? new byte[0] : spec.substring(eq + 1).getBytes(StandardCharsets.UTF_8);
                if (!dir) {
                    e.setSize(content.length);
                }
                tar.putArchiveEntry(e);
                if (!dir) {
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private List<Path> cacheFiles() throws IOException {
        if (!Files.exists(cache)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private OciPuller puller() {
        return new OciPuller(new Fetcher(cache, 1L << 30));
    }

    // ---------------------------------------------------------------- pulls

    @Test
    void manifestWithTwoGzipLayersBehindABearerChallengeReturnsTheBlobsInOrder() throws IOException {
        registry.bearer = true;
        byte[] l1 = layer("etc/", "etc/one=1\n");
        byte[] l2 = layer("etc/two=2\n");
        String m = registry.image(l1, l2);

        List<Path> got = puller().pull(registry.ref(m), "linux/amd64", FIELD);

        assertThat(got).hasSize(2);
        assertThat(got.get(0).getFileName().toString()).isEqualTo(Hashes.sha256(l1));
        assertThat(got.get(1).getFileName().toString()).isEqualTo(Hashes.sha256(l2));
        assertThat(Files.readAllBytes(got.get(0))).isEqualTo(l1);
        assertThat(Files.readAllBytes(got.get(1))).isEqualTo(l2);
        // One token for the whole pull; every registry request after the challenge carried it.
        assertThat(registry.count("/token?")).isEqualTo(1);
        assertThat(registry.log).filteredOn(l -> l.startsWith("/v2/") && l.endsWith("auth=Bearer t")).hasSize(3);
        assertThat(registry.log).filteredOn(l -> l.startsWith("/v2/") && l.endsWith("auth=null")).hasSize(1);
        // Manifest and layers are in the content-addressed cache, nothing else.
        assertThat(cacheFiles()).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(m.substring(7), Hashes.sha256(l1), Hashes.sha256(l2));

        // Pulled again: all from the cache, the registry is not asked.
        int before = registry.log.size();
        assertThat(puller().pull(registry.ref(m), "linux/amd64", FIELD)).isEqualTo(got);
        assertThat(registry.log).hasSize(before);
    }

    @Test
    void anonymousRegistryWithoutChallengeWorksToo() throws IOException {
        byte[] l1 = layer("a=a");
        String m = registry.image(l1);

        List<Path> got = puller().pull(registry.ref(m), "linux/amd64", FIELD);

        assertThat(got).hasSize(1);
        assertThat(Files.readAllBytes(got.get(0))).isEqualTo(l1);
        assertThat(registry.count("/token")).isZero();
    }

    @Test
    void imageIndexPicksTheRequestedPlatform() throws IOException {
        registry.bearer = true;
        byte[] arm = layer("arch=arm64");
        byte[] amd = layer("arch=amd64");
        byte[] armv7 = layer("arch=armv7");
        String mArm = registry.image(arm);
        String mAmd = registry.image(amd);
        String mArmV7 = registry.image(armv7);
        // arm64 first, so that "first entry" would be the wrong answer.
        String idx = registry.index(new String[]{"linux/arm64", "linux/amd64", "linux/arm/v7"},
                new String[]{mArm, mAmd, mArmV7});

        List<Path> amd64 = puller().pull(registry.ref(idx), "linux/amd64", FIELD);
        assertThat(amd64).hasSize(1);
        assertThat(Files.readAllBytes(amd64.get(0))).isEqualTo(amd);
        assertThat(registry.log).noneMatch(l -> l.contains(mArm) || l.contains(Hashes.sha256(arm)));

        List<Path> arm64 = puller().pull(registry.ref(idx), "linux/arm64", FIELD);
        assertThat(Files.readAllBytes(arm64.get(0))).isEqualTo(arm);

        // Without a variant, "linux/arm" picks the variant that the index has.
        List<Path> armAny = puller().pull(registry.ref(idx), "linux/arm", FIELD);
        assertThat(Files.readAllBytes(armAny.get(0))).isEqualTo(armv7);
    }

    @Test
    void exactPlatformWinsOverAVariantListedBeforeIt() throws IOException {
        byte[] v8 = layer("v=arm64/v8");
        byte[] plain = layer("v=arm64");
        String idx = registry.index(new String[]{"linux/arm64/v8", "linux/arm64"},
                new String[]{registry.image(v8), registry.image(plain)});

        List<Path> got = puller().pull(registry.ref(idx), "linux/arm64", FIELD);

        assertThat(Files.readAllBytes(got.get(0))).isEqualTo(plain);
    }

    @Test
    void platformMissingFromTheIndexIsRefusedNamingThePlatformField() throws IOException {
        String idx = registry.index(new String[]{"linux/arm64", "windows/amd64"},
                new String[]{registry.image(layer("a=1")), registry.image(layer("b=2"))});

        assertThatThrownBy(() -> puller().pull(registry.ref(idx), "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.field()).isEqualTo(FIELD + ".platform");
                    assertThat(e.getMessage()).contains("linux/amd64");
                });
        assertThat(registry.count("/v2/test/img/blobs/")).isZero();
    }

    @Test
    void manifestWhoseBytesDoNotMatchThePinnedDigestIsRefused() throws IOException {
        registry.bearer = true;
        String real = registry.image(layer("a=1"));
        byte[] genuine = registry.manifests.get(real);
        // The registry answers the pinned digest with other (valid JSON) bytes: pointing at another layer.
        String evil = registry.image(layer("a=evil"));
        registry.manifests.put(real, registry.manifests.get(evil));

        assertThatThrownBy(() -> puller().pull(registry.ref(real), "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.field()).isEqualTo(FIELD + ".sha256");
                    assertThat(e.getMessage()).contains(real.substring(7)).contains(evil.substring(7));
                });
        // Nothing was pulled on the strength of the unverified manifest, and nothing is cached.
        assertThat(registry.count("/v2/test/img/blobs/")).isZero();
        assertThat(cacheFiles()).isEmpty();

        registry.manifests.put(real, genuine);
        assertThat(puller().pull(registry.ref(real), "linux/amd64", FIELD)).hasSize(1);
    }

    @Test
    void indexEntryWhoseManifestDoesNotMatchIsRefused() throws IOException {
        String amd = registry.image(layer("a=1"));
        String idx = registry.index(new String[]{"linux/amd64"}, new String[]{amd});
        registry.manifests.put(amd, registry.manifests.get(registry.image(layer("a=2"))));

        assertThatThrownBy(() -> puller().pull(registry.ref(idx), "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> assertThat(e.field()).isEqualTo(FIELD + ".sha256"));
        assertThat(registry.count("/v2/test/img/blobs/")).isZero();
    }

    @Test
    void layerBlobWhoseContentDoesNotMatchIsRefused() throws IOException {
        byte[] l1 = layer("a=1");
        byte[] l2 = layer("b=2");
        String m = registry.image(l1, l2);
        byte[] evil = layer("b=evil");
        registry.blobs.put(digest(l2), evil);

        assertThatThrownBy(() -> puller().pull(registry.ref(m), "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.field()).isEqualTo(FIELD + ".sha256");
                    assertThat(e.getMessage()).contains(Hashes.sha256(l2)).contains(Hashes.sha256(evil));
                });
        // The verified manifest and first layer may stay cached; the bad blob must not be there under any name.
        assertThat(cacheFiles()).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(m.substring(7), Hashes.sha256(l1));
    }

    @Test
    void missingBlobIsAnInputErrorNamingTheImage() throws IOException {
        byte[] l1 = layer("a=1");
        String m = registry.image(l1);
        registry.blobs.remove(digest(l1));

        assertThatThrownBy(() -> puller().pull(registry.ref(m), "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.field()).isEqualTo(FIELD + ".image");
                    assertThat(e.getMessage()).contains("404");
                });
    }

    @Test
    void tagsAndNonBearerChallengesAreRefused() throws IOException {
        assertThatThrownBy(() -> puller().pull(registry.host() + "/test/img:latest", "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> assertThat(e.field()).isEqualTo(FIELD + ".image"));

        String m = registry.image(layer("a=1"));
        registry.basicRealm = "private";
        assertThatThrownBy(() -> puller().pull(registry.ref(m), "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.field()).isEqualTo(FIELD + ".image");
                    assertThat(e.getMessage()).contains("credentials");
                });
    }

    // ---------------------------------------------------------------- through the pipeline

    @Test
    void pipelineAppliesOciLayersWithWhiteoutsAndOpaqueDirectories() throws Exception {
        registry.bearer = true;
        byte[] base = layer(
                "etc/", "etc/keep=keep\n", "etc/gone=gone\n",
                "opt/", "opt/a=a\n", "opt/b=b\n", "opt/sub/", "opt/sub/c=c\n",
                "srv/", "srv/x=x\n");
        byte[] top = layer(
                "etc/", "etc/.wh.gone",
                "opt/", "opt/.wh..wh..opq", "opt/new=new\n",
                "srv/y=y\n");
        String m = registry.image(base, top);
        String yaml = """
                apiVersion: twinbuild.dev/v1alpha1
                kind: SystemImage
                metadata: {name: oci}
                spec:
                  sourceDateEpoch: 1700000000
                  layers:
                    - oci:
                        image: "%s"
                  outputs:
                    - format: tar
                """.formatted(registry.ref(m));
        Path dir = Files.createDirectories(tmp.resolve("def"));
        Path out = tmp.resolve("out");
        Path work = tmp.resolve("work");

        BuildResult r = Pipeline.build(Manifests.parse(yaml, "test"), dir, out, BuildOptions.defaults(work));

        Path tarFile = out.resolve("oci.tar");
        assertThat(r.outputs()).hasSize(1);
        assertThat(Hashes.sha256(tarFile)).isEqualTo(r.outputs().get(0).sha256());
        // Output entries are named "./path" (as GNU tar -C dir . would).
        List<String> names = tarList(tarFile, "-tf");
        assertThat(names).containsExactly("./", "./etc/", "./etc/keep", "./opt/", "./opt/new", "./srv/", "./srv/x",
                "./srv/y");
        // Content of what survived, read back by GNU tar.
        assertThat(run(List.of("tar", "-xOf", tarFile.toString(), "./opt/new"))).isEqualTo("new\n");
        assertThat(run(List.of("tar", "-xOf", tarFile.toString(), "./etc/keep"))).isEqualTo("keep\n");
        // Times clamped to SOURCE_DATE_EPOCH, numeric root owner.
        String verbose = run(List.of("tar", "--numeric-owner", "--utc", "-tvf", tarFile.toString()));
        assertThat(verbose.lines()).isNotEmpty().allSatisfy(l -> assertThat(l).contains(" 0/0 ")
                .containsAnyOf(" 2020-09-13 ", " 2023-11-14 "));
        // The build record pins the image and its layers.
        JsonNode record = JSON.readTree(r.record().toFile());
        assertThat(record.toString()).contains(m.substring(7)).contains(Hashes.sha256(base))
                .contains(Hashes.sha256(top));
    }

    private static List<String> tarList(Path tar, String flags) throws IOException, InterruptedException {
        return Arrays.asList(run(List.of("tar", flags, tar.toString())).split("\n"));
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("exit code of %s", cmd).isZero();
        return out;
    }
}
