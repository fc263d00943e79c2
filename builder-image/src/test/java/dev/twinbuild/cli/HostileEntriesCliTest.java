package dev.twinbuild.cli;

import dev.twinbuild.testing.Builds;
import dev.twinbuild.testing.Commands;
import dev.twinbuild.testing.Tars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile layer entries through the CLI as a user runs it: exit 2 and a message naming the entry, for a
 * build without extraction (tar output), one with extraction (ext4 output) and a verify; never exit 3 with
 * a Java exception or a host path (issue 14).
 */
class HostileEntriesCliTest {
    @TempDir
    Path tmp;

    private void refusedEverywhere(byte[] tar, String entry, String reason) throws IOException {
        Path dir = tmp.resolve("in-" + Integer.toHexString(entry.hashCode()));
        String sha = Builds.input(dir, "layer.tar", tar);
        for (String format : new String[]{"tar", "ext4"}) {
            Path manifest = dir.resolve(format + ".yaml");
            Files.writeString(manifest, Builds.tarManifest("layer.tar", sha, "[{format: " + format + "}]"));
            // verify (two builds under variations) once: it refuses through the same assembly
            for (String command : format.equals("tar") ? new String[]{"build", "verify"} : new String[]{"build"}) {
                // relative names: the message names the manifest as given, and nothing else of the host
                Commands.Result r = CliTest.twinbuild(dir, command, format + ".yaml", "--out",
                        "out-" + format + "-" + command);
                assertThat(r.exit()).as(command + " " + format + ": " + r.stderr()).isEqualTo(2);
                assertThat(r.stderr()).as(command + " " + format).contains("spec.layers[0] entry '" + entry + "'")
                        .contains(reason).doesNotContain("Exception").doesNotContain("/tmp/")
                        .doesNotContain(tmp.toString());
            }
        }
    }

    @Test
    void writeThroughAnAbsoluteSymlinkToADirectoryNotInTheTree() throws IOException {
        refusedEverywhere(new Tars().dir("etc/", 0755).symlink("lib", "/nonexistent/lib").file("lib/x.so", "elf")
                .bytes(), "lib/x.so", "'nonexistent' is not a directory in the tree");
    }

    @Test
    void nameComponentOver255Bytes() throws IOException {
        String name = "d/" + "n".repeat(300);
        refusedEverywhere(new Tars().file(name, "x").bytes(), name, "longer than 255 bytes");
    }

    @Test
    void pathOverTheLimitOnceResolvedThroughASymlink() throws IOException {
        String deep = String.join("/", Collections.nCopies(16, "e".repeat(230)));
        String entry = "s/" + "z".repeat(200);
        refusedEverywhere(new Tars().dir(deep + "/", 0755).symlink("s", "/" + deep).file(entry, "x").bytes(), entry,
                "longer than 3840 bytes");
    }
}
