package dev.twinbuild.pipeline.emit.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.testing.Commands;
import dev.twinbuild.testing.FormatBuilds;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** OCI image layout tar: the same bytes under variations; skopeo and umoci read it; JSON sorted; layer = our tar. */
class OciTest {
    static final String OUTPUTS = """
            [{format: tar}, {format: oci, oci: {architecture: arm64, variant: v8, tag: "1.0", entrypoint: [/bin/sh],
              cmd: ["-c", "echo hi"], env: ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"], workingDir: /home/user,
              user: "1000:1000", labels: {z.last: "2", a.first: "1"}}}]""";

    @TempDir
    static Path tmp;
    static FormatBuilds.Pair builds;
    static Map<String, byte[]> files;

    @BeforeAll
    static void build() throws IOException {
        builds = FormatBuilds.build(tmp, OUTPUTS, true);
        files = new LinkedHashMap<>();
        try (TarArchiveInputStream t = new TarArchiveInputStream(Files.newInputStream(
                builds.referenceOut().resolve("t.oci.tar")))) {
            for (TarArchiveEntry e; (e = t.getNextEntry()) != null; ) {
                files.put(e.getName() + " " + Integer.toOctalString(e.getMode()) + " " + e.getLongUserId() + ":"
                        + e.getLongGroupId() + " " + e.getLastModifiedTime().toInstant().getEpochSecond()
                        + " '" + e.getUserName() + "'", t.readAllBytes());
            }
        }
    }

    private static byte[] file(String name) {
        return files.entrySet().stream().filter(e -> e.getKey().startsWith(name + " ")).findFirst().orElseThrow()
                .getValue();
    }

    private static JsonNode json(String name) throws IOException {
        return new ObjectMapper().readTree(file(name));
    }

    @Test
    void sameBytesUnderVariations() {
        assertThat(builds.variedDigests()).hasSize(2).isEqualTo(builds.referenceDigests());
    }

    @Test
    void layoutTarIsFixedAndSorted() throws IOException {
        JsonNode manifest = json("blobs/sha256/" + json("index.json").at("/manifests/0/digest").asText().substring(7));
        List<String> blobs = new ArrayList<>(List.of(manifest.at("/config/digest").asText().substring(7),
                manifest.at("/layers/0/digest").asText().substring(7),
                json("index.json").at("/manifests/0/digest").asText().substring(7)));
        blobs.sort(null);
        List<String> expected = new ArrayList<>(List.of("blobs/ 40755 0:0 1700000000 ''",
                "blobs/sha256/ 40755 0:0 1700000000 ''"));
        blobs.forEach(b -> expected.add("blobs/sha256/" + b + " 100644 0:0 1700000000 ''"));
        expected.addAll(List.of("index.json 100644 0:0 1700000000 ''", "oci-layout 100644 0:0 1700000000 ''"));
        assertThat(files.keySet()).containsExactlyElementsOf(expected);
        // Every blob is named by its digest.
        for (String b : blobs) {
            assertThat(Hashes.sha256(file("blobs/sha256/" + b))).isEqualTo(b);
        }
        assertThat(new String(file("oci-layout"), StandardCharsets.UTF_8)).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    @Test
    void jsonKeysAreSortedAndCompact() throws IOException {
        JsonNode index = json("index.json");
        JsonNode manifest = json("blobs/sha256/" + index.at("/manifests/0/digest").asText().substring(7));
        JsonNode config = json("blobs/sha256/" + manifest.at("/config/digest").asText().substring(7));
        for (JsonNode n : List.of(index, manifest, config)) {
            assertSorted(n);
        }
        for (String name : List.of("index.json", "oci-layout")) {
            assertThat(new String(file(name), StandardCharsets.UTF_8)).doesNotContain("\n", ": ", ", ");
        }
        assertThat(config.path("created").asText()).isEqualTo("2023-11-14T22:13:20Z");
        assertThat(config.at("/config/Labels").toString()).isEqualTo("{\"a.first\":\"1\",\"z.last\":\"2\"}");
    }

    private static void assertSorted(JsonNode n) {
        if (n.isObject()) {
            List<String> keys = new ArrayList<>();
            n.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).isSorted();
            n.elements().forEachRemaining(OciTest::assertSorted);
        } else if (n.isArray()) {
            n.elements().forEachRemaining(OciTest::assertSorted);
        }
    }

    @Test
    void theLayerIsOurTarOfTheTree() throws IOException {
        JsonNode index = json("index.json");
        JsonNode manifest = json("blobs/sha256/" + index.at("/manifests/0/digest").asText().substring(7));
        JsonNode config = json("blobs/sha256/" + manifest.at("/config/digest").asText().substring(7));
        byte[] layer = file("blobs/sha256/" + manifest.at("/layers/0/digest").asText().substring(7));
        byte[] tar;
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(layer))) {
            tar = in.readAllBytes();
        }
        assertThat(Files.readAllBytes(builds.referenceOut().resolve("t.tar"))).isEqualTo(tar);
        assertThat(config.at("/rootfs/diff_ids/0").asText()).isEqualTo("sha256:" + Hashes.sha256(tar));
        assertThat(manifest.at("/layers/0/size").asLong()).isEqualTo(layer.length);
        assertThat(manifest.at("/layers/0/mediaType").asText()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
    }

    @Test
    void skopeoInspectsIt() throws IOException {
        Commands.Result r = Commands.sh(builds.referenceOut(), "skopeo inspect --config oci-archive:t.oci.tar:1.0");
        assertThat(r.exit()).as(r.stderr()).isZero();
        JsonNode config = new ObjectMapper().readTree(r.stdout());
        assertThat(config.path("created").asText()).isEqualTo("2023-11-14T22:13:20Z");
        assertThat(config.path("architecture").asText()).isEqualTo("arm64");
        assertThat(config.path("variant").asText()).isEqualTo("v8");
        assertThat(config.at("/config/Entrypoint/0").asText()).isEqualTo("/bin/sh");
        assertThat(config.at("/config/Env").toString()).isEqualTo("[\"PATH=/usr/bin:/bin\",\"LANG=C.UTF-8\"]");
        assertThat(config.at("/config/WorkingDir").asText()).isEqualTo("/home/user");
        assertThat(config.at("/config/User").asText()).isEqualTo("1000:1000");
        Commands.Result i = Commands.sh(builds.referenceOut(), "skopeo inspect oci-archive:t.oci.tar");
        assertThat(i.exit()).as(i.stderr()).isZero();
        assertThat(new ObjectMapper().readTree(i.stdout()).path("Layers")).hasSize(1);
    }

    @Test
    void umociUnpacksIt() throws IOException {
        Path layout = tmp.resolve("layout");
        Files.createDirectories(layout);
        Commands.Result x = Commands.sh(layout, "tar -xf '" + builds.referenceOut().resolve("t.oci.tar") + "'");
        assertThat(x.exit()).as(x.stderr()).isZero();
        Path bundle = tmp.resolve("bundle");
        Commands.Result r = Commands.sh(tmp, "umoci unpack --rootless --image '" + layout + ":1.0' '" + bundle + "'");
        assertThat(r.exit()).as(r.stdout() + r.stderr()).isZero();
        Path rootfs = bundle.resolve("rootfs");
        assertThat(Files.readAllBytes(rootfs.resolve("usr/share/big"))).isEqualTo(FormatBuilds.BIG);
        assertThat(Files.readString(rootfs.resolve(FormatBuilds.ODD_NAME))).isEqualTo("odd\n");
        assertThat(Files.readSymbolicLink(rootfs.resolve("bin")).toString()).isEqualTo("usr/bin");
        JsonNode runtime = new ObjectMapper().readTree(bundle.resolve("config.json").toFile());
        Iterator<JsonNode> args = runtime.at("/process/args").elements();
        List<String> argv = new ArrayList<>();
        args.forEachRemaining(a -> argv.add(a.asText()));
        assertThat(argv).containsExactly("/bin/sh", "-c", "echo hi");
    }
}
