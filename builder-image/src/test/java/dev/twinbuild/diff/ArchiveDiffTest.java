package dev.twinbuild.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinbuild.cli.Main;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class ArchiveDiffTest {
    private static final long T = 1_700_000_000L;

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- building archives

    /** One tar entry as the test wants it; content null for directories and links. */
    private record E(String name, byte type, String content, int mode, long uid, long gid, String user, long mtime,
                     String link) {
        static E file(String name, String content) {
            return new E(name, TarConstants.LF_NORMAL, content, 0644, 0, 0, "root", T, null);
        }

        static E dir(String name) {
            return new E(name, TarConstants.LF_DIR, null, 0755, 0, 0, "root", T, null);
        }

        static E symlink(String name, String target) {
            return new E(name, TarConstants.LF_SYMLINK, null, 0777, 0, 0, "root", T, target);
        }

        E mode(int m) {
            return new E(name, type, content, m, uid, gid, user, mtime, link);
        }

        E owner(long u, long g, String n) {
            return new E(name, type, content, mode, u, g, n, mtime, link);
        }

        E mtime(long t) {
            return new E(name, type, content, mode, uid, gid, user, t, link);
        }
    }

    private Path tar(String file, List<E> entries) throws IOException {
        Path p = tmp.resolve(file);
        try (OutputStream o = Files.newOutputStream(p)) {
            writeTar(file.endsWith(".gz") ? new GZIPOutputStream(o) : o, entries);
        }
        return p;
    }

    private static void writeTar(OutputStream o, List<E> entries) throws IOException {
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(o, "UTF-8")) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (E e : entries) {
                TarArchiveEntry te = new TarArchiveEntry(e.name(), e.type());
                te.setMode(e.mode());
                te.setUserId(e.uid());
                te.setGroupId(e.gid());
                te.setUserName(e.user());
                te.setGroupName(e.user());
                te.setLastModifiedTime(FileTime.from(e.mtime(), TimeUnit.SECONDS));
                if (e.link() != null) {
                    te.setLinkName(e.link());
                }
                byte[] data = e.content() == null ? new byte[0] : e.content().getBytes(StandardCharsets.UTF_8);
                if (e.content() != null) {
                    te.setSize(data.length);
                }
                t.putArchiveEntry(te);
                t.write(data);
                t.closeArchiveEntry();
            }
        }
    }

    private static Map<String, EntryDifference> byPath(DiffReport r) {
        return r.entries.stream().collect(Collectors.toMap(EntryDifference::path, Function.identity(),
                (x, y) -> {
                    throw new AssertionError("path reported twice: " + x.path());
                }, TreeMap::new));
    }

    private List<E> base() {
        return List.of(
                E.dir("etc/"),
                E.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"),
                E.file("bin/sh", "#!binary\n").mode(0755),
                E.file("etc/owned", "owned\n"),
                E.file("etc/timed", "timed\n").mtime(T - 100),
                E.symlink("bin/ls", "busybox"),
                E.file("same", "unchanged\n"),
                E.file("only-a.txt", "a\n"));
    }

    // ---------------------------------------------------------------- tar

    @Test
    void eachKindOfDifferenceIsReportedOnItsOwnPath() throws IOException {
        Path a = tar("a.tar", base());
        List<E> changed = new ArrayList<>(List.of(
                // common entries, in another order
                E.file("same", "unchanged\n"),
                E.symlink("bin/ls", "toybox"),
                E.file("etc/timed", "timed\n").mtime(T),
                E.file("etc/owned", "owned\n").owner(1000, 100, "user"),
                E.file("bin/sh", "#!binary\n").mode(0700),
                E.file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nuser:x:1001:1000::/home/user:/bin/sh\n"),
                E.dir("etc/"),
                E.file("only-b.txt", "b\n")));
        Path b = tar("b.tar", changed);

        DiffReport r = ArchiveDiff.diff(a, b);

        assertThat(r.identical).isFalse();
        assertThat(r.format).isEqualTo("archive");
        Map<String, EntryDifference> d = byPath(r);
        assertThat(d.keySet()).containsExactly("bin/ls", "bin/sh", "etc/owned", "etc/passwd", "etc/timed",
                "only-a.txt", "only-b.txt");
        assertThat(d.get("etc/passwd").kinds()).containsExactly("content");
        assertThat(d.get("etc/passwd").details()).singleElement().asString()
                .contains("line 2").contains("user:x:1000:1000").contains("user:x:1001:1000")
                .doesNotContain("root:x");
        assertThat(d.get("bin/sh").kinds()).containsExactly("mode");
        assertThat(d.get("bin/sh").details()).containsExactly("mode: 755 → 700");
        assertThat(d.get("etc/owned").kinds()).containsExactly("owner");
        assertThat(d.get("etc/owned").details()).singleElement().asString().contains("0:0").contains("1000:100")
                .contains("user");
        assertThat(d.get("etc/timed").kinds()).containsExactly("mtime");
        assertThat(d.get("etc/timed").details()).containsExactly("mtime: " + (T - 100) + " → " + T);
        assertThat(d.get("bin/ls").kinds()).containsExactly("link-target");
        assertThat(d.get("bin/ls").details()).containsExactly("link-target: busybox → toybox");
        assertThat(d.get("only-a.txt").kinds()).containsExactly("only-in-a");
        assertThat(d.get("only-b.txt").kinds()).containsExactly("only-in-b");
        assertThat(r.orderDiffers).isTrue();
        assertThat(r.differingPaths()).doesNotContain("same", "etc/");

        String text = r.toText();
        assertThat(text).contains("etc/passwd: content").contains("bin/sh: mode").contains("entry order differs")
                .contains("sha256:" + r.shaA).contains("sha256:" + r.shaB);
    }

    @Test
    void sameEntriesInAnotherOrderIsAnOrderDifferenceOnly() throws IOException {
        List<E> entries = base();
        List<E> reversed = new ArrayList<>(entries);
        java.util.Collections.reverse(reversed);
        Path a = tar("a.tar", entries);
        Path b = tar("b.tar", reversed);

        DiffReport r = ArchiveDiff.diff(a, b);

        assertThat(r.identical).isFalse();
        assertThat(r.entries).isEmpty();
        assertThat(r.orderDiffers).isTrue();
        assertThat(r.toText()).contains("entry order differs");
    }

    @Test
    void identicalFilesAreIdentical() throws IOException {
        Path a = tar("a.tar", base());
        Path b = tar("b.tar", base());
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));

        DiffReport r = ArchiveDiff.diff(a, b);

        assertThat(r.identical).isTrue();
        assertThat(r.entries).isEmpty();
        assertThat(r.orderDiffers).isFalse();
        assertThat(r.shaA).isEqualTo(r.shaB).hasSize(64);
        assertThat(r.toText()).contains("identical");
    }

    @Test
    void sameEntriesDifferentlyCompressedDifferOnlyInBytes() throws IOException {
        Path a = tar("a.tar", base());
        Path b = tar("a.tar.gz", base());

        DiffReport r = ArchiveDiff.diff(a, b);

        assertThat(r.identical).isFalse();
        assertThat(r.format).isEqualTo("archive");
        assertThat(r.entries).isEmpty();
        assertThat(r.orderDiffers).isFalse();
        assertThat(r.firstDifferingByte).isZero();
        assertThat(r.toText()).contains("entries are equal");
    }

    @Test
    void largeTextIsDiffedByLineAndBinaryByOffset() throws IOException {
        byte[] big = new byte[10_000];
        new java.util.Random(1).nextBytes(big);
        String bigA = "x".repeat(5000) + "\n";
        String bigB = "x".repeat(4999) + "y\n";
        Path a = tar("a.tar", List.of(E.file("big.txt", bigA), E.file("nul", "a\0b")));
        Path b = tar("b.tar", List.of(E.file("big.txt", bigB), E.file("nul", "a\0c")));

        DiffReport r = ArchiveDiff.diff(a, b);

        Map<String, EntryDifference> d = byPath(r);
        assertThat(d.get("big.txt").kinds()).containsExactly("content");
        // Past the in-memory preview the differ extracts both sides and still compares them line by line.
        assertThat(d.get("big.txt").details()).singleElement().asString().startsWith("content: line 1: ")
                .contains(" → ");
        assertThat(d.get("nul").kinds()).containsExactly("content");
        assertThat(d.get("nul").details()).singleElement().asString().doesNotContain("line")
                .contains("first differing byte at offset 2");
    }

    // ---------------------------------------------------------------- cpio

    private Path cpioGz(String name, Path dir) throws IOException, InterruptedException {
        Path out = tmp.resolve(name);
        // GNU cpio, newc as the kernel reads it, gzip -n: an initrd made the usual way.
        Process p = new ProcessBuilder("sh", "-c",
                "find . -exec touch -h -d @" + T + " {} + && find . -print | LC_ALL=C sort"
                        + " | cpio --quiet -o -H newc -R 0:0 | gzip -n > \"$0\"", out.toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(log).isZero();
        return out;
    }

    private Path initrdTree(String name, String init) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.createDirectories(d.resolve("etc"));
        Files.writeString(d.resolve("init"), init);
        Files.writeString(d.resolve("etc/hostname"), "box\n");
        Files.createSymbolicLink(d.resolve("sbin"), Path.of("bin"));
        return d;
    }

    @Test
    void cpioGzArchivesDifferingInOneFileReportThatFile() throws Exception {
        Path a = cpioGz("a.cpio.gz", initrdTree("ta", "#!/bin/sh\necho one\nexec sh\n"));
        Path b = cpioGz("b.cpio.gz", initrdTree("tb", "#!/bin/sh\necho two\nexec sh\n"));

        DiffReport r = ArchiveDiff.diff(a, b);

        assertThat(r.identical).isFalse();
        assertThat(r.format).isEqualTo("archive");
        Map<String, EntryDifference> d = byPath(r);
        // GNU cpio drops the "./" of the names find prints.
        assertThat(d).containsOnlyKeys("init");
        assertThat(d.get("init").kinds()).containsExactly("content");
        assertThat(d.get("init").details()).singleElement().asString().contains("line 2")
                .contains("echo one").contains("echo two");
        assertThat(r.orderDiffers).isFalse();
    }

    // ---------------------------------------------------------------- not archives

    @Test
    void filesThatAreNotArchivesReportTheFirstDifferingByte() throws IOException {
        Path a = Files.writeString(tmp.resolve("a.bin"), "hello world, this is not an archive");
        Path b = Files.writeString(tmp.resolve("b.bin"), "hello wurld, this is not an archive");
        Path prefix = Files.writeString(tmp.resolve("c.bin"), "hello world");

        DiffReport r = ArchiveDiff.diff(a, b);
        assertThat(r.identical).isFalse();
        assertThat(r.format).isNull();
        assertThat(r.entries).isEmpty();
        assertThat(r.firstDifferingByte).isEqualTo(7L);
        assertThat(r.toText()).contains("first differing byte at offset 7");

        assertThat(ArchiveDiff.diff(a, prefix).firstDifferingByte).isEqualTo(11L);
    }

    // ---------------------------------------------------------------- the CLI

    private record Run(int exit, String out, String err) {
    }

    private static synchronized Run cli(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void cliExitsOneAndItsJsonParses() throws IOException {
        Path a = tar("a.tar", base());
        List<E> changed = new ArrayList<>(base());
        changed.set(2, E.file("bin/sh", "#!binary\n").mode(0700));
        Path b = tar("b.tar", changed);

        Run text = cli("diff", a.toString(), b.toString());
        assertThat(text.exit()).isEqualTo(1);
        assertThat(text.out()).contains("bin/sh: mode").contains("755 → 700");

        Run json = cli("diff", "--json", a.toString(), b.toString());
        assertThat(json.exit()).isEqualTo(1);
        JsonNode n = new ObjectMapper().readTree(json.out());
        assertThat(n.path("identical").asBoolean(true)).isFalse();
        assertThat(n.path("a").asText()).isEqualTo(a.toString());
        assertThat(n.path("shaA").asText()).hasSize(64).isNotEqualTo(n.path("shaB").asText());
        assertThat(n.path("entries")).hasSize(1);
        assertThat(n.path("entries").get(0).path("path").asText()).isEqualTo("bin/sh");
        assertThat(n.path("entries").get(0).path("kinds").get(0).asText()).isEqualTo("mode");

        Run same = cli("diff", "--json", a.toString(), a.toString());
        assertThat(same.exit()).isZero();
        assertThat(new ObjectMapper().readTree(same.out()).path("identical").asBoolean()).isTrue();

        Run missing = cli("diff", a.toString(), tmp.resolve("nope.tar").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.tar");
    }
}
