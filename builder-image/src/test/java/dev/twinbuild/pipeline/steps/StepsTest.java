package dev.twinbuild.pipeline.steps;

import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildOptions.DirOrder;
import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.testing.Builds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** What a build step sees: a pinned environment, the tree, the real (or shifted) clock, and a chroot if asked. */
class StepsTest {
    @TempDir
    Path tmp;

    private String manifest(String layer, String run, boolean chroot) {
        return """
                apiVersion: twinbuild.dev/v1alpha1
                kind: SystemImage
                metadata: {name: steps}
                spec:
                  sourceDateEpoch: 1700000000
                  layers:
                    - %s
                  steps:
                    - name: probe
                      chroot: %s
                      run: |
                %s
                  outputs: [{format: tar}]
                """.formatted(layer, chroot, run.indent(8).stripTrailing());
    }

    private String extract(BuildResult r, String path) throws IOException {
        Path x = tmp.resolve("x" + System.nanoTime());
        Files.createDirectories(x);
        Process p = new ProcessBuilder("tar", "-xf", tmp.resolve("work/out").resolve(r.outputs().get(0).file())
                .toString(), "-C", x.toString(), "./" + path).inheritIO().start();
        try {
            assertThat(p.waitFor()).isZero();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        return Files.readString(x.resolve(path), StandardCharsets.UTF_8);
    }

    @Test
    void theEnvironmentIsPinned() throws IOException {
        String run = """
                env | grep -E '^(PATH|TZ|LANG|LC_ALL|SOURCE_DATE_EPOCH)=' | sort > "$ROOTFS/env"
                echo "umask=$(umask) host=$(hostname)" >> "$ROOTFS/env"
                test -d "$HOME" && test -d "$SCRATCH" && test -d "$TMPDIR"
                test -z "${TWINBUILD_CAPTURE_ENVIRONMENT:-}"
                """;
        BuildResult r = Builds.build(manifest("files: [{path: /etc/x, content: x}]", run, false), tmp, tmp.resolve("work"));
        assertThat(extract(r, "env")).isEqualTo("""
                LANG=C.UTF-8
                LC_ALL=C.UTF-8
                PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
                SOURCE_DATE_EPOCH=1700000000
                TZ=UTC
                umask=0022 host=twinbuild
                """);
    }

    @Test
    void theClockOffsetReachesSteps() throws IOException {
        String run = "date +%s > \"$ROOTFS/now\"";
        BuildOptions shifted = new BuildOptions(tmp.resolve("work/work"), tmp.resolve("cache"), 400L * 86400,
                DirOrder.NATURAL, 1, null, new TreeMap<>());
        BuildResult r = Builds.build(manifest("files: [{path: /etc/x, content: x}]", run, false), tmp,
                tmp.resolve("work"), shifted);
        long seen = Long.parseLong(extract(r, "now").strip());
        assertThat(seen - System.currentTimeMillis() / 1000).isBetween(399L * 86400, 401L * 86400);
    }

    @Test
    void chrootStepsRunInsideTheTree() throws IOException {
        byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
        // The layer carries a static busybox as /bin/sh so that the tree has a shell of its own.
        Path in = tmp.resolve("in");
        Files.createDirectories(in.resolve("root/bin"));
        Files.write(in.resolve("root/bin/busybox"), busybox);
        Process p = new ProcessBuilder("sh", "-c", "chmod 755 root/bin/busybox && ln -s busybox root/bin/sh && "
                + "mkdir -p root/etc root/tmp && tar --owner=0 --group=0 --numeric-owner -C root -cf layer.tar .")
                .directory(in.toFile()).inheritIO().start();
        try {
            assertThat(p.waitFor()).isZero();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        String sha = dev.twinbuild.pipeline.Hashes.sha256(in.resolve("layer.tar"));
        String run = """
                echo "root=$ROOTFS" > /etc/inside
                test ! -e /usr/lib/jvm
                """;
        BuildResult r = Builds.build(manifest("tar: {url: layer.tar, sha256: \"" + sha + "\"}", run, true), in,
                tmp.resolve("work"));
        assertThat(extract(r, "etc/inside")).isEqualTo("root=/\n");
    }

    @Test
    void whatAStepChangesReachesTheOutputsAndTheRestComesFromTheLayer() throws IOException {
        Path in = tmp.resolve("in");
        byte[] layer = new dev.twinbuild.testing.Tars().dir("d/", 0755).file("d/same", "same")
                .file("d/rewritten", "old!").file("d/moved", "moved").file("d/target", "target")
                .file("d/grown", "g").file("d/gone", "gone").bytes();
        String sha = Builds.input(in, "layer.tar", layer);
        // Same size and the layer's time put back; a rename onto another name; an append; a removal; a new file.
        String run = """
                printf 'new!' > "$ROOTFS/d/rewritten"
                touch -d @1600000000 "$ROOTFS/d/rewritten"
                mv "$ROOTFS/d/moved" "$ROOTFS/d/target"
                echo more >> "$ROOTFS/d/grown"
                rm "$ROOTFS/d/gone"
                echo created > "$ROOTFS/d/created"
                """;
        BuildResult r = Builds.build(manifest("tar: {url: layer.tar, sha256: \"" + sha + "\"}", run, false), in,
                tmp.resolve("work"));
        assertThat(extract(r, "d/same")).isEqualTo("same");
        assertThat(extract(r, "d/rewritten")).isEqualTo("new!");
        assertThat(extract(r, "d/target")).isEqualTo("moved");
        assertThat(extract(r, "d/grown")).isEqualTo("gmore\n");
        assertThat(extract(r, "d/created")).isEqualTo("created\n");
        // removed while the outputs were written: what they read from the layer; kept: what they read from the disk
        Path rootfs = tmp.resolve("work/work/rootfs");
        assertThat(rootfs.resolve("d/same")).doesNotExist();
        assertThat(rootfs.resolve("d/target")).exists();
    }
}
