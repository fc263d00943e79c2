package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.testing.Builds;
import dev.twinbuild.testing.Tars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A build without steps keeps its tree as an index (contents read where they lie in the layers); its outputs
 * must be byte for byte those of the same build through a rootfs on disk, whatever the layers do.
 */
class RootlessAssemblyTest {
    /** Matches nothing, but a content normaliser makes the pipeline extract into a rootfs. */
    private static final String FORCE_ROOTFS = """
              normalize:
                - type: json
                  paths: ["/nothing/here/*.json"]
            """;

    @TempDir
    Path tmp;

    @Test
    void indexAndRootfsGiveTheSameBytes() throws IOException {
        String longDir = "usr/share/" + "d".repeat(120);
        byte[] base = new Tars()
                .dir("usr/", 0755).dir("usr/lib/", 0755).dir("usr/share/", 0755).dir("etc/", 0700, 5, 6, 1_500_000_000L)
                .file("usr/lib/libc.so", "elf".repeat(1000), 0755, 0, 0, 1_600_000_000L)
                .file("usr/share/big", "x".repeat(300_000))
                .file("usr/share/empty", "")
                .file(longDir + "/" + "f".repeat(140), "long names")
                .file("usr/share/größe-ñ", "non-ASCII")
                .symlink("lib", "usr/lib").symlink("abs", "/usr")
                .hardlink("usr/lib/libc.so.6", "usr/lib/libc.so")
                .file("etc/passwd", "root:x:0:0\n", 0644, 0, 0, 1_900_000_000L)
                .dir("opaque/", 0755).file("opaque/old", "gone").file("gone", "whited out")
                .file("becomes-dir", "file first").dir("becomes-file/", 0755).file("becomes-file/inner", "x")
                .fifo("run-fifo", 0644).device("console", 5, 1)
                .bytes();
        byte[] top = Tars.gzip(new Tars()
                .file("lib/through-relative", "via lib -> usr/lib")
                .file("abs/share/through-absolute", "via abs -> /usr")
                .file(".wh.gone", "")
                .file("opaque/.wh..wh..opq", "").file("opaque/new", "kept")
                .dir("becomes-dir/", 0750).file("becomes-dir/child", "now a dir")
                .file("becomes-file", "now a file")
                .hardlink("etc/shadow", "usr/share/big")
                .file("usr/share/big", "replaced; the hardlink keeps the old content")
                .file("var/log/excluded.log", "dropped").file("var/cache/emptied", "emptied")
                .bytes());
        Path in = tmp.resolve("in");
        String shaBase = Builds.input(in, "base.tar", base);
        String shaTop = Builds.input(in, "top.tar.gz", top);
        String spec = """
                apiVersion: twinbuild.dev/v1alpha1
                kind: SystemImage
                metadata: {name: t}
                spec:
                  sourceDateEpoch: 1700000000
                  allowDevices: true
                  exclude: ["/var/log/**"]
                  emptyFiles: ["/var/cache/*"]
                  layers:
                    - tar: {url: base.tar, sha256: "%s"}
                    - tar: {url: top.tar.gz, sha256: "%s"}
                    - files:
                        - {path: /usr/lib/inline, content: "inline file", mode: "0600", uid: 7}
                        - {path: /abs/share/inline-link, type: symlink, target: ../lib/libc.so}
                  outputs: [{format: tar}, {format: tar.gz}, {format: tar.zst}, {format: cpio.gz}]
                """.formatted(shaBase, shaTop);

        BuildResult index = Builds.build(spec, in, tmp.resolve("index"));
        BuildResult rootfs = Builds.build(spec + FORCE_ROOTFS, in, tmp.resolve("rootfs"));

        assertThat(Builds.digests(index)).hasSize(4).isEqualTo(Builds.digests(rootfs));
        // No tree on disk: the rootfs directory holds only the spill file of the contents that had no place.
        try (Stream<Path> s = Files.list(tmp.resolve("index/work/rootfs"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("contents");
        }
        // The plain layer's contents stayed where they lie; the spill holds the gzip layer's and inline ones.
        assertThat(Files.size(tmp.resolve("index/work/rootfs/contents"))).isLessThan(1000);
        Map<String, String> entries = dev.twinbuild.pipeline.assemble.HostileArchiveTestAccess.list(
                tmp.resolve("index/out/t.tar"));
        assertThat(entries).containsEntry("./usr/lib/through-relative", "file")
                .containsEntry("./usr/share/through-absolute", "file").doesNotContainKey("./gone")
                .doesNotContainKey("./opaque/old").containsEntry("./opaque/new", "file")
                .containsEntry("./becomes-dir/child", "file").containsEntry("./becomes-file", "file")
                .doesNotContainKey("./var/log/excluded.log");
    }

    @Test
    void aLayerFileThatChangesAfterItWasReadFailsTheBuild() throws IOException {
        Path layer = Files.writeString(tmp.resolve("layer.tar"), "header and content");
        IndexTree tree = new IndexTree(tmp.resolve("spill"), 0);
        tree.putFileAt("f", new java.io.ByteArrayInputStream("content".getBytes()), 7, layer, 11, 0644, 0, 0, 0);
        tree.checkLayersUnchanged();

        Files.writeString(layer, "header and CONTENT, longer");
        assertThatThrownBy(tree::checkLayersUnchanged).isInstanceOf(dev.twinbuild.pipeline.InputException.class)
                .hasMessageContaining("changed while the build read it");
    }
}
