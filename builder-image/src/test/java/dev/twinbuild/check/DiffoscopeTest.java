package dev.twinbuild.check;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * diffoscope as the check pod runs it, on two real ISO 9660 images that differ in one file: its report
 * names the file inside the ISO (its iso9660 comparator lists and extracts files with isoinfo, Debian's
 * genisoimage, which the builder image carries for that) rather than only a hexdump of the two images.
 */
class DiffoscopeTest {
    @TempDir
    Path tmp;

    @Test
    void theReportOfTwoDifferingIsosNamesTheFileInside() throws Exception {
        Path a = iso("a", "built on node-a\n");
        Path b = iso("b", "built on node-b\n");
        Path text = tmp.resolve("report.txt");
        Path html = tmp.resolve("report.html");
        String failure = new Diffoscope(Path.of(Diffoscope.COMMAND), 120)
                .compare(a, b, text, html, Files.createDirectories(tmp.resolve("scratch")));

        assertThat(failure).isNull();
        String report = Files.readString(text);
        assertThat(report).as(report).contains("├── etc/motd").contains("-built on node-a").contains("+built on node-b")
                .doesNotContain("├── etc/os-release") // the same in both: no section of its own
                .doesNotContain("Falling back to binary comparison");
        assertThat(Files.readString(html)).contains("etc/motd");
    }

    /** An ISO of a small tree, made by xorriso (as the pipeline's iso output is), with a fixed date. */
    private Path iso(String name, String motd) throws Exception {
        Path tree = Files.createDirectories(tmp.resolve(name + "-tree/etc"));
        Files.writeString(tree.resolve("os-release"), "ID=test\n");
        Files.writeString(tree.resolve("motd"), motd);
        java.nio.file.attribute.FileTime epoch = java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L);
        for (Path p : new Path[]{tree.resolve("os-release"), tree.resolve("motd"), tree, tree.getParent()}) {
            Files.setLastModifiedTime(p, epoch); // only the content differs
        }
        Path iso = tmp.resolve(name + ".iso");
        Process p = new ProcessBuilder("xorriso", "-no_rc", "-as", "mkisofs", "-quiet", "-R", "-J",
                "-V", "TEST", "--modification-date=2023111422132000", "-o", iso.toString(),
                tree.getParent().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return iso;
    }
}
