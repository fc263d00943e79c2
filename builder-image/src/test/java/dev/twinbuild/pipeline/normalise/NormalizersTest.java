package dev.twinbuild.pipeline.normalise;

import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.Pipeline;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarInputStream;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The content normalisers on real files made by the real tools (gzip, jar, zip, msgfmt), and checked by
 * them afterwards (gzip -t, zcat, unzip, jar, msgunfmt).
 */
class NormalizersTest {
    private static final long SDE = 1_700_000_000L; // 2023-11-14 22:13:20 UTC

    @TempDir
    Path tmp;

    // ---------------------------------------------------------------- helpers

    private record Result(int exit, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    private Result exec(Path dir, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("TZ", "UTC");
        Process p = pb.start();
        p.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the process went away
            }
        });
        t.start();
        byte[] out = p.getInputStream().readAllBytes();
        int exit = p.waitFor();
        t.join();
        return new Result(exit, out, err.toString(StandardCharsets.UTF_8));
    }

    private byte[] ok(Path dir, String... cmd) throws IOException, InterruptedException {
        Result r = exec(dir, cmd);
        assertThat(r.exit()).as("%s failed: %s", String.join(" ", cmd), r.err()).isZero();
        return r.out();
    }

    private static byte[] normalise(ContentNormalizer n, Path in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(n.normalize(in, out)).as("normaliser accepted %s", in.getFileName()).isTrue();
        return out.toByteArray();
    }

    private static void touch(Path p, long epochSeconds) throws IOException {
        Files.setLastModifiedTime(p, FileTime.fromMillis(epochSeconds * 1000));
    }

    private static String text(int lines) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            sb.append("line ").append(i).append(": the quick brown fox jumps over the lazy dog ").append(i * 7919 % 1000)
                    .append('\n');
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- gzip

    @Test
    void gzipWithNameAndTimeNormalisesToWhatGzipDashNWrites() throws Exception {
        String content = text(3000);
        Path src = Files.writeString(tmp.resolve("README"), content);
        touch(src, 1_600_000_000L);
        byte[] a = ok(tmp, "gzip", "-c", "README");
        Path other = Files.writeString(tmp.resolve("CHANGELOG"), content);
        touch(other, 1_650_000_000L);
        byte[] b = ok(tmp, "gzip", "-c", "CHANGELOG");
        byte[] reference = ok(tmp, "gzip", "-n", "-c", "README");
        // The real gzip did put the names and times in: the two inputs differ.
        assertThat(a[3] & 0x08).as("FNAME set by gzip").isNotZero();
        assertThat(a).isNotEqualTo(b);
        Path ga = Files.write(tmp.resolve("a.gz"), a);
        Path gb = Files.write(tmp.resolve("b.gz"), b);

        byte[] na = normalise(new GzipHeaderNormalizer(), ga);
        byte[] nb = normalise(new GzipHeaderNormalizer(), gb);

        assertThat(na).isEqualTo(nb);
        // Header: no flags, mtime 0, XFL kept, OS 3 (Unix) — byte for byte what `gzip -n` writes.
        assertThat(java.util.Arrays.copyOf(na, 10)).containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, reference[8], 3);
        assertThat(na).isEqualTo(reference);
        Path n = Files.write(tmp.resolve("n.gz"), na);
        ok(tmp, "gzip", "-t", "n.gz");
        assertThat(new String(ok(tmp, "zcat", n.toString()), StandardCharsets.UTF_8)).isEqualTo(content);
        // `gzip -l -v`/`-N` would restore the name and time from the header: there are none.
        assertThat(ok(tmp, "gzip", "-lv", "n.gz")).asString().doesNotContain("README");
    }

    @Test
    void gzipBestCompressionKeepsItsExtraFlagsByte() throws Exception {
        Path src = Files.writeString(tmp.resolve("data"), text(500));
        touch(src, 1_234_567_890L);
        Path g = Files.write(tmp.resolve("data9.gz"), ok(tmp, "gzip", "-9", "-c", "data"));

        byte[] n = normalise(new GzipHeaderNormalizer(), g);

        assertThat(n[8]).as("XFL of -9").isEqualTo((byte) 2);
        assertThat(n).isEqualTo(ok(tmp, "gzip", "-9", "-n", "-c", "data"));
    }

    @Test
    void gzipWithCommentHeaderCrcAndExtraFieldKeepsOnlyTheExtraField() throws Exception {
        String content = "payload with every optional header field\n";
        byte[] deflated = ok(tmp, "sh", "-c", "printf '%s' \"$0\" | gzip -n -c", content);
        // Header written by hand (GNU gzip never writes FCOMMENT/FHCRC): FEXTRA|FNAME|FCOMMENT|FHCRC.
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.write(new byte[]{0x1f, (byte) 0x8b, 8, 0x1e, 0x78, 0x56, 0x34, 0x12, 0, 7});
        byte[] extra = {'A', 'B', 3, 0, 'x', 'y', 'z'};
        h.write(extra.length);
        h.write(0);
        h.write(extra);
        h.write("name.txt\0".getBytes(StandardCharsets.ISO_8859_1));
        h.write("a comment\0".getBytes(StandardCharsets.ISO_8859_1));
        CRC32 crc = new CRC32();
        crc.update(h.toByteArray());
        h.write((int) crc.getValue() & 0xff);
        h.write((int) (crc.getValue() >> 8) & 0xff);
        h.write(deflated, 10, deflated.length - 10);
        Path in = Files.write(tmp.resolve("odd.gz"), h.toByteArray());
        ok(tmp, "gzip", "-t", "odd.gz");

        byte[] n = normalise(new GzipHeaderNormalizer(), in);

        assertThat(java.util.Arrays.copyOf(n, 10)).containsExactly(0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3);
        assertThat(java.util.Arrays.copyOfRange(n, 10, 12 + extra.length))
                .containsExactly(new byte[]{7, 0, 'A', 'B', 3, 0, 'x', 'y', 'z'});
        Path out = Files.write(tmp.resolve("odd-n.gz"), n);
        ok(tmp, "gzip", "-t", "odd-n.gz");
        assertThat(new String(ok(tmp, "zcat", out.toString()), StandardCharsets.UTF_8)).isEqualTo(content);
        assertThat(new String(n, StandardCharsets.ISO_8859_1)).doesNotContain("name.txt").doesNotContain("comment");
    }

    @Test
    void gzipNormaliserLeavesOtherFilesAlone() throws Exception {
        Path notGzip = Files.writeString(tmp.resolve("plain.gz"), "not compressed at all");
        Path empty = Files.write(tmp.resolve("empty.gz"), new byte[0]);
        assertThat(new GzipHeaderNormalizer().normalize(notGzip, new ByteArrayOutputStream())).isFalse();
        assertThat(new GzipHeaderNormalizer().normalize(empty, new ByteArrayOutputStream())).isFalse();
    }

    // ---------------------------------------------------------------- zip / jar

    private Path jarTree() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("tree"));
        Files.createDirectories(d.resolve("com/example"));
        Files.writeString(d.resolve("com/example/App.class"), "not really bytecode " + text(50));
        Files.writeString(d.resolve("com/example/messages.properties"), "greeting=hello\n");
        Files.writeString(d.resolve("app.conf"), "port = 8080\n");
        Path script = Files.writeString(d.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(d.resolve("META-INF"));
        Files.writeString(d.resolve("META-INF/MANIFEST.MF"), "Manifest-Version: 1.0\nMain-Class: com.example.App\n\n");
        // Both sort before the manifest by name: only the manifest-first rule puts it first.
        Files.writeString(d.resolve("META-INF/LICENSE"), "Apache-2.0\n");
        Files.writeString(d.resolve("LICENSE"), "Apache-2.0\n");
        Files.writeString(d.resolve("manifest.txt"), "Main-Class: com.example.App\n");
        return d;
    }

    private void touchTree(Path d, long t) throws IOException {
        try (var s = Files.walk(d)) {
            for (Path p : s.toList()) {
                touch(p, t);
            }
        }
    }

    private static List<String> names(byte[] zip, Path tmpFile) throws IOException {
        Files.write(tmpFile, zip);
        return ZipNormalizer.names(tmpFile);
    }

    @Test
    void jarsMadeAtDifferentTimesInDifferentOrdersBecomeIdentical() throws Exception {
        Path d = jarTree();
        touchTree(d, 1_600_000_000L);
        ok(d, "jar", "--create", "--file", "../one.jar", "--manifest", "manifest.txt", "--date",
                "2021-01-01T00:00:02Z", "app.conf", "com", "LICENSE", "META-INF/LICENSE", "run.sh");
        touchTree(d, 1_650_000_000L);
        ok(d, "jar", "--create", "--file", "../two.jar", "--manifest", "manifest.txt", "--date",
                "2022-06-30T12:34:56Z", "META-INF/LICENSE", "run.sh", "com", "LICENSE", "app.conf");
        Path one = tmp.resolve("one.jar");
        Path two = tmp.resolve("two.jar");
        assertThat(Files.readAllBytes(one)).isNotEqualTo(Files.readAllBytes(two));
        assertThat(ZipNormalizer.names(one)).isNotEqualTo(ZipNormalizer.names(two));

        byte[] n1 = normalise(new ZipNormalizer(), one);
        byte[] n2 = normalise(new ZipNormalizer(), two);

        assertThat(n1).isEqualTo(n2);
        Path out = Files.write(tmp.resolve("normalised.jar"), n1);
        List<String> listed = new String(ok(tmp, "jar", "tf", out.toString()), StandardCharsets.UTF_8).lines().toList();
        assertThat(listed).containsExactly("META-INF/", "META-INF/MANIFEST.MF", "LICENSE", "META-INF/LICENSE",
                "app.conf", "com/", "com/example/",
                "com/example/App.class", "com/example/messages.properties", "run.sh");
        ok(tmp, "unzip", "-tq", out.toString());
        try (JarInputStream j = new JarInputStream(Files.newInputStream(out))) {
            assertThat(j.getManifest()).isNotNull();
            assertThat(j.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("com.example.App");
        }
        assertThat(new String(ok(tmp, "unzip", "-p", out.toString(), "com/example/messages.properties"),
                StandardCharsets.UTF_8)).isEqualTo("greeting=hello\n");
        assertAllTimesAreTheDosEpochWithoutExtraFields(out);
    }

    @Test
    void zipsMadeByInfoZipWithExtraFieldsBecomeIdenticalAndKeepUnixModes() throws Exception {
        Path d = jarTree();
        touchTree(d, 1_600_000_000L);
        ok(d, "zip", "-q", "-r", "../z1.zip", "META-INF", "com", "LICENSE", "app.conf", "run.sh");
        touchTree(d, 1_700_000_123L);
        ok(d, "zip", "-q", "-r", "../z2.zip", "run.sh", "app.conf", "com", "META-INF", "LICENSE");
        Path z1 = tmp.resolve("z1.zip");
        Path z2 = tmp.resolve("z2.zip");
        assertThat(Files.readAllBytes(z1)).isNotEqualTo(Files.readAllBytes(z2));

        byte[] n1 = normalise(new ZipNormalizer(), z1);
        byte[] n2 = normalise(new ZipNormalizer(), z2);

        assertThat(n1).isEqualTo(n2);
        Path out = Files.write(tmp.resolve("normalised.zip"), n1);
        ok(tmp, "unzip", "-tq", out.toString());
        String listing = new String(ok(tmp, "unzip", "-l", out.toString()), StandardCharsets.UTF_8);
        assertThat(listing).contains("META-INF/MANIFEST.MF", "com/example/App.class", "run.sh")
                .contains("1980-01-01 00:00");
        assertThat(names(n1, tmp.resolve("names.zip")).subList(0, 4))
                .containsExactly("META-INF/", "META-INF/MANIFEST.MF", "LICENSE", "META-INF/LICENSE");
        // Info-ZIP wrote UT/ux extra fields with the real times; they are gone, the Unix modes stay.
        assertAllTimesAreTheDosEpochWithoutExtraFields(out);
        try (ZipFile z = ZipFile.builder().setPath(out).get()) {
            assertThat(z.getEntry("run.sh").getUnixMode() & 0777).isEqualTo(0755);
            assertThat(z.getEntry("app.conf").getUnixMode() & 0777).isEqualTo(0644);
        }
        // Extracted by unzip, the script is still executable.
        Path x = Files.createDirectories(tmp.resolve("x"));
        ok(x, "unzip", "-q", out.toString());
        assertThat(Files.isExecutable(x.resolve("run.sh"))).isTrue();
        assertThat(x.resolve("com/example/messages.properties")).hasContent("greeting=hello");
    }

    @Test
    void zipNormalisationDoesNotDependOnTheTimezone() throws Exception {
        Path d = jarTree();
        touchTree(d, 1_600_000_000L);
        ok(d, "jar", "--create", "--file", "../tz.jar", "--manifest", "manifest.txt", "app.conf", "com");
        Path jar = tmp.resolve("tz.jar");
        // Each build of a verification is its own JVM, started with the TZ of its variation: so are these.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Map<String, byte[]> byZone = new HashMap<>();
        byZone.put("this JVM (" + ZoneId.systemDefault().getId() + ")", normalise(new ZipNormalizer(), jar));
        for (String zone : List.of("Pacific/Kiritimati", "America/St_Johns")) {
            Path out = tmp.resolve("tz-" + zone.replace('/', '_') + ".jar");
            ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"),
                    ZipInAnotherJvm.class.getName(), jar.toString(), out.toString())
                    .redirectErrorStream(true);
            pb.environment().put("TZ", zone);
            Process p = pb.start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("child JVM in %s: %s", zone, log).isZero();
            assertThat(log).contains("zone=" + zone);
            byZone.put(zone, Files.readAllBytes(out));
        }
        assertThat(byZone).hasSize(3);
        assertThat(byZone.values()).allSatisfy(b -> assertThat(b).isEqualTo(byZone.get("Pacific/Kiritimati")));
        assertAllTimesAreTheDosEpochWithoutExtraFields(tmp.resolve("tz-Pacific_Kiritimati.jar"));
    }

    /** Normalises args[0] into args[1] in a fresh JVM, as a build of a verification would. */
    static final class ZipInAnotherJvm {
        public static void main(String[] args) throws IOException {
            System.out.println("zone=" + ZoneId.systemDefault().getId());
            try (java.io.OutputStream o = Files.newOutputStream(Path.of(args[1]))) {
                if (!new ZipNormalizer().normalize(Path.of(args[0]), o)) {
                    throw new IllegalStateException("not normalised");
                }
            }
        }
    }

    @Test
    void zipNormaliserLeavesNonZipFilesAlone() throws Exception {
        Path f = Files.writeString(tmp.resolve("fake.jar"), "PK but not really a zip");
        assertThat(new ZipNormalizer().normalize(f, new ByteArrayOutputStream())).isFalse();
    }

    private static void assertAllTimesAreTheDosEpochWithoutExtraFields(Path zip) throws IOException {
        long dosEpoch = LocalDateTime.of(1980, 1, 1, 0, 0).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
        try (ZipFile z = ZipFile.builder().setPath(zip).get()) {
            for (ZipArchiveEntry e : Collections.list(z.getEntries())) {
                assertThat(e.getTime()).as("time of %s", e.getName()).isEqualTo(dosEpoch);
                assertThat(e.getCentralDirectoryExtra()).as("central extra of %s", e.getName()).isEmpty();
                assertThat(e.getLocalFileDataExtra()).as("local extra of %s", e.getName()).isEmpty();
                assertThat(e.getComment()).as("comment of %s", e.getName()).isNullOrEmpty();
            }
        }
    }

    // ---------------------------------------------------------------- json

    @Test
    void jsonKeysAreSortedAtEveryDepthArraysKeepTheirOrder() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.json"),
                "{\"zeta\": 1, \"alpha\": {\"d\": [3, {\"z\": true, \"y\": null}], \"c\": \"x\"}, \"mid\": []}");
        Path b = Files.writeString(tmp.resolve("b.json"),
                "{\n  \"mid\": [],\n  \"alpha\": {\"c\": \"x\", \"d\": [3, {\"y\": null, \"z\": true}]},\n  \"zeta\": 1\n}\n");

        byte[] na = normalise(new JsonNormalizer(), a);
        byte[] nb = normalise(new JsonNormalizer(), b);

        assertThat(na).isEqualTo(nb);
        assertThat(new String(na, StandardCharsets.UTF_8))
                .isEqualTo("{\"alpha\":{\"c\":\"x\",\"d\":[3,{\"y\":null,\"z\":true}]},\"mid\":[],\"zeta\":1}\n");
    }

    @Test
    void jsonNumbersAndStringsAreKeptAsTheyAre() throws Exception {
        Path a = Files.writeString(tmp.resolve("n.json"),
                "{\"b\": 12345678901234567890123, \"a\": 0.1000000000000000055511151231257827, \"c\": \"\\u00e9\\n\"}");

        String n = new String(normalise(new JsonNormalizer(), a), StandardCharsets.UTF_8);

        assertThat(n).contains("\"b\":12345678901234567890123").contains("\"c\":\"é\\n\"");
        assertThat(new java.math.BigDecimal(n.replaceAll(".*\"a\":([^,}]*).*\\s*", "$1")))
                .isEqualByComparingTo("0.1000000000000000055511151231257827");
    }

    @Test
    void jsonNormaliserLeavesWhatIsNotOneJsonDocumentAlone() throws Exception {
        // An empty file, a JSON Lines file, a document followed by garbage: rewriting any of them as one
        // document would change what the file says.
        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        for (String content : new String[]{"", "   \n", "not json {", "{\"a\": 1}\n{\"b\": 2}\n", "{\"a\": 1} trailing",
                "[1, 2] [3]"}) {
            Path f = Files.writeString(tmp.resolve("f.json"), content);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            soft.assertThat(new JsonNormalizer().normalize(f, out)).as("normalised '%s' into '%s'", content.strip(),
                    out.toString(StandardCharsets.UTF_8).strip()).isFalse();
        }
        soft.assertAll();
    }

    // ---------------------------------------------------------------- gettext .mo

    private static String po(String potDate, String revisionDate) {
        return """
                msgid ""
                msgstr ""
                "Project-Id-Version: hello 1.0\\n"
                "POT-Creation-Date: %s\\n"
                "PO-Revision-Date: %s\\n"
                "Language: de\\n"
                "MIME-Version: 1.0\\n"
                "Content-Type: text/plain; charset=UTF-8\\n"
                "Content-Transfer-Encoding: 8bit\\n"

                msgid "Hello"
                msgstr "Hallo"

                msgid "Goodbye"
                msgstr "Auf Wiedersehen"
                """.formatted(potDate, revisionDate);
    }

    private Path mo(String name, String potDate, String revisionDate) throws Exception {
        Files.writeString(tmp.resolve(name + ".po"), po(potDate, revisionDate));
        ok(tmp, "msgfmt", "-o", name + ".mo", name + ".po");
        return tmp.resolve(name + ".mo");
    }

    /**
     * A .mo as other tools write it (Python's msgfmt.py, Babel): GNU msgfmt 0.21 drops POT-Creation-Date
     * itself, others keep it. Layout per the gettext manual; msgunfmt checks that it is well formed.
     */
    private static byte[] moFile(String header, boolean bigEndian, String... pairs) {
        List<String[]> msgs = new ArrayList<>();
        msgs.add(new String[]{"", header});
        for (int i = 0; i < pairs.length; i += 2) {
            msgs.add(new String[]{pairs[i], pairs[i + 1]});
        }
        msgs.sort(java.util.Comparator.comparing(m -> m[0]));
        int n = msgs.size();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 16)
                .order(bigEndian ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN);
        int originals = 28;
        int translations = originals + 8 * n;
        int strings = translations + 8 * n;
        b.putInt(0x950412de).putInt(0).putInt(n).putInt(originals).putInt(translations).putInt(0).putInt(strings);
        int at = strings;
        for (int k = 0; k < 2; k++) {
            for (int i = 0; i < n; i++) {
                byte[] str = msgs.get(i)[k].getBytes(StandardCharsets.UTF_8);
                b.putInt((k == 0 ? originals : translations) + 8 * i, str.length);
                b.putInt((k == 0 ? originals : translations) + 8 * i + 4, at);
                b.put(at, str);
                b.put(at + str.length, (byte) 0);
                at += str.length + 1;
            }
        }
        return java.util.Arrays.copyOf(b.array(), at);
    }

    private static String moHeader(String potDate, String revisionDate) {
        return "Project-Id-Version: hello 1.0\nPOT-Creation-Date: " + potDate + "\nPO-Revision-Date: " + revisionDate
                + "\nLanguage: de\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n"
                + "Content-Transfer-Encoding: 8bit\n";
    }

    private String msgunfmt(byte[] mo, String name) throws Exception {
        Path f = Files.write(tmp.resolve(name), mo);
        return new String(ok(tmp, "msgunfmt", f.toString()), StandardCharsets.UTF_8);
    }

    @Test
    void moMadeByMsgfmtWithALaterRevisionDateIsClampedAndMsgunfmtStillReadsIt() throws Exception {
        dev.twinbuild.testing.Required.tools("msgfmt", "msgunfmt");
        Path one = mo("one", "2031-02-03 04:05+0000", "2032-01-01 00:00+0100");
        Path two = mo("two", "2029-12-31 23:59+0200", "2030-07-01 12:00-0700");
        assertThat(Files.readAllBytes(one)).isNotEqualTo(Files.readAllBytes(two));

        byte[] n1 = normalise(new MoNormalizer(SDE), one);
        byte[] n2 = normalise(new MoNormalizer(SDE), two);

        assertThat(n1).isEqualTo(n2).hasSize((int) Files.size(one));
        String po = msgunfmt(n1, "n.mo");
        assertThat(po).contains("PO-Revision-Date: 2023-11-14 22:13+0000")
                .contains("msgstr \"Auf Wiedersehen\"").contains("msgstr \"Hallo\"")
                .doesNotContain("2032").doesNotContain("2030");
    }

    @Test
    void moWithALaterPotCreationDateIsClampedInEitherByteOrder() throws Exception {
        dev.twinbuild.testing.Required.tools("msgunfmt");
        for (boolean bigEndian : new boolean[]{false, true}) {
            byte[] a = moFile(moHeader("2031-02-03 04:05+0000", "2032-01-01 00:00+0100"), bigEndian,
                    "Hello", "Hallo", "Goodbye", "Auf Wiedersehen");
            byte[] b = moFile(moHeader("2030-12-31 23:59+0200", "2030-07-01 12:00-0700"), bigEndian,
                    "Hello", "Hallo", "Goodbye", "Auf Wiedersehen");
            assertThat(msgunfmt(a, "a.mo")).contains("POT-Creation-Date: 2031-02-03 04:05+0000");

            byte[] na = normalise(new MoNormalizer(SDE), Files.write(tmp.resolve("a.mo"), a));
            byte[] nb = normalise(new MoNormalizer(SDE), Files.write(tmp.resolve("b.mo"), b));

            assertThat(na).as("big endian: %s", bigEndian).isEqualTo(nb).hasSize(a.length);
            assertThat(msgunfmt(na, "na.mo")).contains("POT-Creation-Date: 2023-11-14 22:13+0000")
                    .contains("PO-Revision-Date: 2023-11-14 22:13+0000")
                    .contains("msgstr \"Auf Wiedersehen\"").doesNotContain("2031").doesNotContain("2030");
        }
    }

    @Test
    void moDatesBeforeSourceDateEpochAreKept() throws Exception {
        dev.twinbuild.testing.Required.tools("msgfmt", "msgunfmt");
        Path old = mo("old", "2019-05-06 07:08+0000", "2020-01-02 03:04+0200");
        assertThat(normalise(new MoNormalizer(SDE), old)).isEqualTo(Files.readAllBytes(old));
        byte[] hand = moFile(moHeader("2019-05-06 07:08+0000", "2020-01-02 03:04+0200"), false, "Hello", "Hallo");
        assertThat(normalise(new MoNormalizer(SDE), Files.write(tmp.resolve("hand.mo"), hand))).isEqualTo(hand);
    }

    @Test
    void moDatesAreComparedAsInstantsNotAsText() throws Exception {
        dev.twinbuild.testing.Required.tools("msgunfmt");
        // What xgettext writes when run in New York soon after the commit that set SOURCE_DATE_EPOCH:
        // 2023-11-14 20:00-0500 is 2023-11-15 01:00 UTC, after SOURCE_DATE_EPOCH, although it sorts before it.
        // 2023-11-15 00:30+0300 is 2023-11-14 21:30 UTC, before it, although it sorts after it.
        byte[] edge = moFile(moHeader("2023-11-14 20:00-0500", "2023-11-15 00:30+0300"), false, "Hello", "Hallo");

        byte[] n = normalise(new MoNormalizer(SDE), Files.write(tmp.resolve("edge.mo"), edge));

        assertThat(msgunfmt(n, "edge-n.mo")).contains("POT-Creation-Date: 2023-11-14 22:13+0000")
                .contains("PO-Revision-Date: 2023-11-15 00:30+0300");
    }

    @Test
    void moNormaliserLeavesOtherFilesAlone() throws Exception {
        Path f = Files.writeString(tmp.resolve("x.mo"), "this is not a message catalog, it is longer than 28 bytes");
        assertThat(new MoNormalizer(SDE).normalize(f, new ByteArrayOutputStream())).isFalse();
    }

    // ---------------------------------------------------------------- through the pipeline

    @Test
    void pipelineNormalisesOnlyThePathsTheGlobsMatch() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("usr/share/doc/hello"));
        Files.createDirectories(root.resolve("other"));
        Files.createDirectories(root.resolve("data/sub"));
        Files.createDirectories(root.resolve("usr/lib"));
        String readme = text(200);
        Files.writeString(root.resolve("usr/share/doc/hello/README"), readme);
        touch(root.resolve("usr/share/doc/hello/README"), 1_650_000_000L);
        ok(root.resolve("usr/share/doc/hello"), "gzip", "README");            // README.gz, with name and time
        Files.writeString(root.resolve("other/README"), readme);
        touch(root.resolve("other/README"), 1_650_000_000L);
        ok(root.resolve("other"), "gzip", "README");
        Files.writeString(root.resolve("data/x.json"), "{\"b\": 1, \"a\": 2}");
        Files.writeString(root.resolve("data/sub/y.json"), "{\"b\": 1, \"a\": 2}");
        Path jt = jarTree();
        ok(jt, "jar", "--create", "--file", root.resolve("usr/lib/app.jar").toString(), "--manifest",
                "manifest.txt", "com", "app.conf");
        byte[] originalOtherGz = Files.readAllBytes(root.resolve("other/README.gz"));
        byte[] originalJar = Files.readAllBytes(root.resolve("usr/lib/app.jar"));
        Path def = Files.createDirectories(tmp.resolve("def"));
        ok(tmp, "tar", "--owner=0", "--group=0", "--numeric-owner", "-czf", def.resolve("rootfs.tar.gz").toString(),
                "-C", root.toString(), ".");
        String sha = Hashes.sha256(def.resolve("rootfs.tar.gz"));
        String yaml = """
                apiVersion: twinbuild.dev/v1alpha1
                kind: SystemImage
                metadata: {name: norm}
                spec:
                  sourceDateEpoch: %d
                  layers:
                    - tar: {url: rootfs.tar.gz, sha256: "%s"}
                  normalize:
                    - type: gzip
                      paths: ["/usr/share/doc/**/*.gz"]
                    - type: json
                      paths: ["/data/*.json"]
                    - type: zip
                      paths: ["/usr/lib/*.jar"]
                  outputs:
                    - format: tar
                """.formatted(SDE, sha);
        Path out = tmp.resolve("out");

        BuildResult r = Pipeline.build(Manifests.parse(yaml, "test"), def, out, BuildOptions.defaults(tmp.resolve("w")));

        Map<String, byte[]> files = readTar(out.resolve("norm.tar"));
        Files.writeString(tmp.resolve("ref"), readme);
        touch(tmp.resolve("ref"), 1_650_000_000L);
        byte[] gzipN = ok(tmp, "gzip", "-n", "-c", "ref");
        assertThat(files.get("./usr/share/doc/hello/README.gz")).isEqualTo(gzipN);
        assertThat(files.get("./other/README.gz")).isEqualTo(originalOtherGz).isNotEqualTo(gzipN);
        assertThat(new String(files.get("./data/x.json"), StandardCharsets.UTF_8)).isEqualTo("{\"a\":2,\"b\":1}\n");
        assertThat(new String(files.get("./data/sub/y.json"), StandardCharsets.UTF_8)).isEqualTo("{\"b\": 1, \"a\": 2}");
        assertThat(files.get("./usr/lib/app.jar")).isNotEqualTo(originalJar)
                .isEqualTo(normalise(new ZipNormalizer(), root.resolve("usr/lib/app.jar")));
        // The output and the size in the tar header agree (the rewritten size was used).
        ok(tmp, "tar", "-tvf", out.resolve("norm.tar").toString());
        assertThat(r.outputs().get(0).sha256()).isEqualTo(Hashes.sha256(out.resolve("norm.tar")));
        // GNU tar reads the normalised gzip back into the README.
        Path x = Files.createDirectories(tmp.resolve("extract"));
        ok(x, "tar", "-xf", out.resolve("norm.tar").toString());
        assertThat(new String(ok(x, "zcat", "usr/share/doc/hello/README.gz"), StandardCharsets.UTF_8)).isEqualTo(readme);
    }

    private static Map<String, byte[]> readTar(Path tar) throws IOException {
        Map<String, byte[]> m = new HashMap<>();
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) {
                if (e.isFile()) {
                    m.put(e.getName(), t.readAllBytes());
                }
            }
        }
        return m;
    }
}
