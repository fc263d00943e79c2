package dev.twinbuild.diff;

import dev.twinbuild.testing.Commands;
import dev.twinbuild.testing.Tars;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The differ opens what it finds inside: gzip members, jars, archives in archives; and shows text diffs. */
class NestedDiffTest {
    @TempDir
    Path tmp;

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** A file gzipped by the real gzip, without -n: the header carries the file's name and time. */
    private byte[] gzipWithTime(String content, String mtime) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("gz" + System.nanoTime()));
        Files.writeString(dir.resolve("changelog"), content);
        assertThat(Commands.sh(dir, "touch -d '" + mtime + "' changelog && gzip -9 changelog").exit()).isZero();
        return Files.readAllBytes(dir.resolve("changelog.gz"));
    }

    private static byte[] jar(String properties) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (String[] f : new String[][]{{"META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"},
                    {"app/build.properties", properties}}) {
                ZipArchiveEntry e = new ZipArchiveEntry(f[0]);
                e.setTime(315532800000L);
                zip.putArchiveEntry(e);
                zip.write(f[1].getBytes(StandardCharsets.UTF_8));
                zip.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String latin(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aGzipThatDiffersOnlyInItsHeaderIsSaidToDoSo() throws IOException {
        String log = "version 1.0\n".repeat(500);
        Path a = write("a.tar", new Tars().fileBytes("usr/share/doc/x/changelog.gz", gzipWithTime(log, "2020-01-01"))
                .bytes());
        Path b = write("b.tar", new Tars().fileBytes("usr/share/doc/x/changelog.gz", gzipWithTime(log, "2024-06-01"))
                .bytes());
        DiffReport r = ArchiveDiff.diff(a, b);
        EntryDifference d = r.entries.get(0);
        assertThat(d.path()).isEqualTo("usr/share/doc/x/changelog.gz");
        assertThat(String.join("\n", d.details())).contains("decompress to the same data")
                .contains("mtime=1577836800").contains("name=changelog");
    }

    @Test
    void aJarInsideATarGzIsOpenedAndTheDifferingEntryNamed() throws IOException {
        Path a = write("a.tar.gz", Tars.gzip(new Tars().file("etc/os-release", "ID=x\n")
                .fileBytes("opt/app/app.jar", jar("built=2024-01-01T10:00\nversion=1\n")).bytes()));
        Path b = write("b.tar.gz", Tars.gzip(new Tars().file("etc/os-release", "ID=x\n")
                .fileBytes("opt/app/app.jar", jar("built=2024-01-02T11:30\nversion=1\n")).bytes()));
        DiffReport r = ArchiveDiff.diff(a, b);
        assertThat(r.nestedPaths()).containsExactly("opt/app/app.jar", "opt/app/app.jar!/app/build.properties");
        assertThat(r.toText()).contains("inside opt/app/app.jar:")
                .contains("app/build.properties: content")
                .contains("\"built=2024-01-01T10:00\" → \"built=2024-01-02T11:30\"");
    }

    @Test
    void aTarInsideATarIsCompared() throws IOException {
        byte[] innerA = new Tars().file("lib/x.so", "one").file("lib/y.so", "same").bytes();
        byte[] innerB = new Tars().file("lib/x.so", "two").file("lib/y.so", "same").bytes();
        Path a = write("a.tar", new Tars().fileBytes("layer.tar", innerA).bytes());
        Path b = write("b.tar", new Tars().fileBytes("layer.tar", innerB).bytes());
        assertThat(ArchiveDiff.diff(a, b).nestedPaths()).containsExactly("layer.tar", "layer.tar!/lib/x.so");
    }

    @Test
    void severalChangedLinesGetAUnifiedDiff() throws IOException {
        String base = "line one\nline two\nline three\nline four\nline five\nline six\nline seven\n";
        String changed = base.replace("line two", "line 2").replace("line six", "line 6");
        Path a = write("a.tar", new Tars().file("etc/config", base).bytes());
        Path b = write("b.tar", new Tars().file("etc/config", changed).bytes());
        String text = ArchiveDiff.diff(a, b).toText();
        assertThat(text).contains("--- a").contains("+++ b").contains("-line two").contains("+line 2")
                .contains("-line six").contains("+line 6").contains(" line four");
    }

    @Test
    void binaryContentGivesTheFirstDifferingOffset() throws IOException {
        byte[] x = new byte[10_000];
        byte[] y = x.clone();
        y[4242] = 1;
        Path a = write("a.tar", new Tars().file("bin/blob", latin(x)).bytes());
        Path b = write("b.tar", new Tars().file("bin/blob", latin(y)).bytes());
        assertThat(ArchiveDiff.diff(a, b).toText()).contains("first differing byte at offset 4242");
    }
}
