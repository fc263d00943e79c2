package dev.twinbuild.pipeline.assemble;

import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.testing.Builds;
import dev.twinbuild.testing.Tars;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Inputs come from the internet: every class of hostile archive is refused, and nothing escapes the root. */
class HostileArchiveTest {
    @TempDir
    Path tmp;

    private InputException refused(byte[] archive) {
        return refused(archive, ArchiveLimits.DEFAULT, "");
    }

    /**
     * Refused by both ways of assembling (an index of entries for a build without steps, a rootfs on disk
     * otherwise), with the same error.
     */
    private InputException refused(byte[] archive, ArchiveLimits limits, String extraSpec) {
        InputException index = refused(archive, limits, extraSpec, "index");
        InputException rootfs = refused(archive, limits, extraSpec + """
                  normalize:
                    - type: json
                      paths: ["/nothing/here/*.json"]
                """, "rootfs");
        assertThat(rootfs.field()).isEqualTo(index.field());
        assertThat(rootfs.getMessage()).isEqualTo(index.getMessage());
        return index;
    }

    private InputException refused(byte[] archive, ArchiveLimits limits, String extraSpec, String variant) {
        Path in = tmp.resolve("in");
        Path work = tmp.resolve("work").resolve(variant);
        String sha;
        try {
            sha = Builds.input(in, "layer.tar", archive);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
        Map<String, Long> before = snapshotOutside();
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> {
            Builds.build(Builds.tarManifest("layer.tar", sha, "[{format: tar}]") + extraSpec, in, work,
                    BuildOptions.defaults(work.resolve("w")), limits);
        });
        assertThat(t).as(variant).isInstanceOf(InputException.class);
        assertThat(snapshotOutside()).as("nothing written outside the work directory").isEqualTo(before);
        assertThat(work.resolve("out/t.tar")).doesNotExist();
        return (InputException) t;
    }

    /** Everything in tmp except the work directory, plus /etc/passwd as the usual target. */
    private Map<String, Long> snapshotOutside() {
        Map<String, Long> m = new HashMap<>();
        try (Stream<Path> s = Files.walk(tmp)) {
            s.filter(p -> !p.startsWith(tmp.resolve("work"))).forEach(p -> m.put(p.toString(), p.toFile().length()));
            m.put("/etc/passwd", Files.getLastModifiedTime(Path.of("/etc/passwd")).toMillis());
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
        return m;
    }

    @Test
    void dotDotEntryIsRefusedAndNamed() {
        InputException e = refused(new Tars().file("ok", "x").file("a/../../evil", "pwned").bytes());
        assertThat(e.field()).contains("spec.layers[0]").contains("a/../../evil");
        assertThat(e.getMessage()).contains("'..'");
        assertThat(tmp.resolve("evil")).doesNotExist();
    }

    @Test
    void absoluteEntryIsRefused() {
        InputException e = refused(new Tars().file("/etc/evil", "pwned").bytes());
        assertThat(e.getMessage()).contains("absolute path");
    }

    @Test
    void symlinkClimbingOutOfTheRootIsRefused() {
        InputException e = refused(new Tars().dir("a/", 0755).symlink("a/up", "../../..").bytes());
        assertThat(e.getMessage()).contains("points outside the root");
    }

    @Test
    void writingThroughAnEscapingSymlinkChainIsRefused() {
        // b -> a/.. is fine (the root); c -> b/.. would climb above it.
        InputException e = refused(new Tars().dir("a/", 0755).symlink("b", "a/..").symlink("c", "b/..")
                .file("c/etc/passwd", "pwned").bytes());
        assertThat(e.getMessage()).containsAnyOf("outside the root", "points outside");
    }

    @Test
    void absoluteSymlinkIsFollowedInsideTheRootOnly() throws IOException {
        Path in = tmp.resolve("in");
        byte[] tar = new Tars().dir("etc/", 0755).symlink("hostetc", "/etc").file("hostetc/passwd", "root:x:0:0\n")
                .bytes();
        String sha = Builds.input(in, "layer.tar", tar);
        long passwd = Files.getLastModifiedTime(Path.of("/etc/passwd")).toMillis();
        BuildResult r = Builds.build(Builds.tarManifest("layer.tar", sha, "[{format: tar}]"), in, tmp.resolve("work"));
        Map<String, String> entries = list(tmp.resolve("work/out").resolve(r.outputs().get(0).file()));
        assertThat(entries).containsEntry("./etc/passwd", "file").containsEntry("./hostetc", "symlink:/etc");
        assertThat(Files.getLastModifiedTime(Path.of("/etc/passwd")).toMillis()).isEqualTo(passwd);
    }

    @Test
    void writingThroughAnAbsoluteSymlinkToAMissingDirectoryIsRefusedAndNamed() {
        InputException e = refused(new Tars().symlink("lib", "/nonexistent/lib").file("lib/x.so", "elf").bytes());
        assertThat(e.field()).contains("spec.layers[0]").contains("lib/x.so");
        assertThat(e.getMessage()).contains("not a directory in the tree").doesNotContain(tmp.toString());

        InputException deep = refused(new Tars().dir("usr/", 0755).symlink("usr/lib", "/missing")
                .file("usr/lib/a/b/c", "x").bytes());
        assertThat(deep.field()).contains("usr/lib/a/b/c");
        assertThat(deep.getMessage()).contains("not a directory in the tree").doesNotContain(tmp.toString());
    }

    @Test
    void nameComponentOver255BytesIsRefusedAndNamed() {
        String longName = "d/" + "n".repeat(256);
        InputException e = refused(new Tars().file(longName, "x").bytes());
        assertThat(e.field()).contains("spec.layers[0]").contains(longName);
        assertThat(e.getMessage()).contains("255 bytes").doesNotContain(tmp.toString());
        // Bytes, not characters: 128 two-byte characters are 256 bytes.
        assertThat(refused(new Tars().dir("é".repeat(128) + "/", 0755).bytes()).getMessage()).contains("255 bytes");
        assertThat(refused(new Tars().symlink("s", "t").hardlink("h", "x/" + "n".repeat(300)).bytes())
                .getMessage()).contains("255 bytes");
    }

    @Test
    void pathThatASymlinkMakesLongerThanTheLimitIsRefusedAndNamed() {
        // Each name is short; resolved through s it would be over PATH_MAX on disk.
        String deep = String.join("/", java.util.Collections.nCopies(16, "e".repeat(230)));
        InputException e = refused(new Tars().dir(deep + "/", 0755).symlink("s", "/" + deep)
                .file("s/" + "z".repeat(200), "x").bytes());
        assertThat(e.field()).contains("spec.layers[0]").contains("s/zzz");
        assertThat(e.getMessage()).contains("longer than 3840 bytes").doesNotContain(tmp.toString());
        // Created through a symlink, a parent directory can be too long as well.
        InputException dir = refused(new Tars().dir(deep + "/", 0755).symlink("s", "/" + deep)
                .file("s/" + "y".repeat(200) + "/f", "x").bytes());
        assertThat(dir.getMessage()).contains("longer than 3840 bytes").doesNotContain(tmp.toString());
    }

    @Test
    void pathsLongerThanTheLimitAreRefusedInBytes() {
        String deep = String.join("/", java.util.Collections.nCopies(1921, "d"));
        assertThat(refused(new Tars().file(deep + "/f", "x").bytes()).getMessage()).contains("longer than 3840 bytes");
        // 2000 two-byte characters: under the limit in characters, over it in bytes
        String wide = String.join("/", java.util.Collections.nCopies(20, "é".repeat(100)));
        assertThat(refused(new Tars().file(wide, "x").bytes()).getMessage()).contains("longer than 3840 bytes");
    }

    @Test
    void nulAndControlCharactersAreRefusedAndQuotedInTheMessage() {
        // long enough for a pax path record, which carries a NUL where a ustar header field would end
        String nul = "n".repeat(120) + "\0x";
        InputException e = refused(new Tars().file(nul, "x").bytes());
        assertThat(e.getMessage()).contains("NUL byte in name").contains("n\\x00x").doesNotContain("\0");

        InputException target = refused(new Tars().symlink("s", "t".repeat(120) + "\0x").bytes());
        assertThat(target.field()).contains("entry 's'");
        assertThat(target.getMessage()).contains("invalid symlink target (NUL byte)");

        InputException ctrl = refused(new Tars().symlink("a\nb\u001b[31m", "/x").file("a\nb\u001b[31m/f", "x").bytes());
        assertThat(ctrl.getMessage()).contains("a\\x0ab\\x1b[31m").doesNotContain("\n").doesNotContain("\u001b");
    }

    @Test
    void symlinkTargetLongerThanLinuxStoresIsRefused() {
        InputException e = refused(new Tars().symlink("s", "é".repeat(2048)).bytes());
        assertThat(e.getMessage()).contains("symlink target longer than 4095 bytes");
    }

    @Test
    void veryLongNamesAreCutInMessages() {
        String deep = String.join("/", java.util.Collections.nCopies(1921, "d"));
        InputException e = refused(new Tars().file(deep + "/f", "x").bytes());
        assertThat(e.getMessage()).hasSizeLessThan(1000).contains("(3843 bytes)");
    }

    @Test
    void aWorkDirectoryTooLongForTheLongestEntryIsNamed() throws IOException {
        Path in = tmp.resolve("in");
        String sha = Builds.input(in, "layer.tar", new Tars().file("a", "x").bytes());
        Path work = tmp.resolve("w".repeat(250));
        assertThatThrownBy(() -> Builds.build(Builds.tarManifest("layer.tar", sha, "[{format: tar}]") + """
                          normalize:
                            - type: json
                              paths: ["/nothing/*.json"]
                        """, in, work, BuildOptions.defaults(work), ArchiveLimits.DEFAULT))
                .isInstanceOf(InputException.class).hasMessageContaining("the work directory")
                .hasMessageContaining("at most 254");
    }

    @Test
    void hardlinkOutsideTheRootIsRefused() {
        assertThat(refused(new Tars().hardlink("h", "../../etc/passwd").bytes()).getMessage()).contains("'..'");
        assertThat(refused(new Tars().hardlink("h", "/etc/passwd").bytes()).getMessage()).contains("absolute");
    }

    @Test
    void hardlinkToASymlinkOrMissingFileIsRefused() {
        assertThat(refused(new Tars().symlink("s", "x").hardlink("h", "s").bytes()).getMessage())
                .contains("not a regular file");
        assertThat(refused(new Tars().hardlink("h", "missing").bytes()).getMessage()).contains("not a regular file");
    }

    @Test
    void deviceNodesAreRefusedUnlessAllowed() throws IOException {
        byte[] tar = new Tars().dir("dev/", 0755).device("dev/console", 5, 1).bytes();
        assertThat(refused(tar).getMessage()).contains("device node refused").contains("allowDevices");

        Path in = tmp.resolve("in2");
        String sha = Builds.input(in, "layer.tar", tar);
        BuildResult r = Builds.build(Builds.tarManifest("layer.tar", sha, "[{format: tar}]") + "  allowDevices: true\n",
                in, tmp.resolve("work2"));
        assertThat(list(tmp.resolve("work2/out").resolve(r.outputs().get(0).file())))
                .containsEntry("./dev/console", "char:5,1");
    }

    @Test
    void duplicateEntriesAreRefused() {
        assertThat(refused(new Tars().file("etc/x", "a").file("etc/x", "b").bytes()).getMessage())
                .contains("duplicate entry");
        assertThat(refused(new Tars().dir("etc/", 0755).file("etc", "file now").bytes()).getMessage())
                .contains("duplicate entry");
    }

    @Test
    void absurdDeclaredSizeIsRefusedBeforeReading() {
        InputException e = refused(new Tars().declaredSize("big", 1L << 40).truncated());
        assertThat(e.getMessage()).contains("declared size");
    }

    @Test
    void decompressionBombIsRefused() {
        byte[] zeros = new byte[24 << 20];
        byte[] bomb = Tars.gzip(new Tars().file("zeros", new String(zeros, java.nio.charset.StandardCharsets.ISO_8859_1))
                .bytes());
        ArchiveLimits limits = new ArchiveLimits(1000, 64L << 20, 1L << 30, 100, 1L << 20);
        assertThat(refused(bomb, limits, "").getMessage()).contains("decompression bomb");
    }

    @Test
    void tooManyEntriesAreRefused() {
        Tars t = new Tars();
        for (int i = 0; i < 20; i++) {
            t.file("f" + i, "x");
        }
        ArchiveLimits limits = new ArchiveLimits(10, 1 << 20, 1 << 30, 1000, 1 << 20);
        assertThat(refused(t.bytes(), limits, "").getMessage()).contains("more than 10 entries");
    }

    @Test
    void malformedAndTruncatedArchivesAreRefused() {
        byte[] garbage = new byte[4096];
        new Random(1).nextBytes(garbage);
        assertThat(refused(garbage).getMessage()).contains("malformed archive");

        byte[] good = new Tars().file("a", "x".repeat(2000)).bytes();
        byte[] cut = java.util.Arrays.copyOf(good, 1024);
        assertThat(refused(cut).getMessage()).containsAnyOf("malformed", "content is");

        byte[] badChecksum = good.clone();
        badChecksum[148] = '9'; // header checksum field
        badChecksum[149] = '9';
        assertThat(refused(badChecksum).getMessage()).contains("malformed");
    }

    @Test
    void hostileWhiteoutsAreRefused() {
        assertThat(refused(new Tars().file("a/.wh...", "").bytes()).getMessage()).contains("whiteout");
        assertThat(refused(new Tars().file("../.wh.passwd", "").bytes()).getMessage()).contains("'..'");
    }

    @Test
    void unpinnedOrMismatchingInputIsRefused() throws IOException {
        Path in = tmp.resolve("in");
        Builds.input(in, "layer.tar", new Tars().file("a", "x").bytes());
        String wrong = "0".repeat(64);
        assertThatThrownBy(() -> Builds.build(Builds.tarManifest("layer.tar", wrong, "[{format: tar}]"), in,
                tmp.resolve("work")))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("spec.layers[0].tar.sha256").hasMessageContaining("mismatch");
        String unpinned = Builds.tarManifest("layer.tar", wrong, "[{format: tar}]").replace("sha256: \"" + wrong + "\"", "");
        assertThatThrownBy(() -> Builds.build(unpinned.replace(", }", "}"), in, tmp.resolve("work")))
                .isInstanceOf(InputException.class).hasMessageContaining("sha256");
    }

    static Map<String, String> list(Path tar) throws IOException {
        Map<String, String> m = new HashMap<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) {
                m.put(e.getName(), e.isSymbolicLink() ? "symlink:" + e.getLinkName()
                        : e.isCharacterDevice() ? "char:" + e.getDevMajor() + "," + e.getDevMinor()
                        : e.isDirectory() ? "dir" : e.isLink() ? "hardlink:" + e.getLinkName() : "file");
            }
        }
        return m;
    }
}
