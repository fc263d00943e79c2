package dev.twinbuild.pipeline.emit.ext4;

import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.emit.EmitContext;
import dev.twinbuild.testing.Builds;
import dev.twinbuild.testing.Commands;
import dev.twinbuild.testing.FormatBuilds;
import dev.twinbuild.testing.Tars;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ext4: the same bytes under variations; e2fsck finds it clean; debugfs shows the tree's owners, modes, times. */
class Ext4Test {
    static final String UUID = "0b8c2e6f-5d2a-4d6e-9f4b-2a6a7c0f1e11";
    static final String OUTPUTS = "[{format: ext4}, {format: ext4, name: sized.ext4, label: my-label, uuid: " + UUID
            + ", size: 24Mi}, {format: tar}]";

    @TempDir
    static Path tmp;
    static FormatBuilds.Pair builds;

    @BeforeAll
    static void build() throws IOException {
        builds = FormatBuilds.build(tmp, OUTPUTS, true);
    }

    private static String sh(String script) throws IOException {
        Commands.Result r = Commands.sh(builds.referenceOut(), script);
        assertThat(r.exit()).as(script + "\n" + r.stderr()).isZero();
        return r.stdout();
    }

    @Test
    void sameBytesUnderVariations() {
        assertThat(builds.variedDigests()).hasSize(3).isEqualTo(builds.referenceDigests());
    }

    @Test
    void e2fsckFindsItClean() throws IOException {
        for (String f : List.of("t.ext4", "sized.ext4")) {
            Commands.Result r = Commands.sh(builds.referenceOut(), "e2fsck -fn " + f);
            assertThat(r.exit()).as(f + ": " + r.stdout() + r.stderr()).isZero();
        }
    }

    @Test
    void superblockHasTheFixedIdentityAndTimes() throws IOException {
        String derived = sh("dumpe2fs -h t.ext4 2>/dev/null");
        assertThat(derived).containsPattern("Filesystem volume name: +t\n")
                // Derived from the tree, which is what the tar output holds.
                .containsPattern("Filesystem UUID: +" + EmitContext.uuidFrom("twinbuild\0ext4-uuid\0"
                        + builds.referenceDigests().get("t.tar") + "\0t.ext4") + "\n")
                .containsPattern("Filesystem created: +Tue Nov 14 22:13:20 2023")
                .containsPattern("Last write time: +Tue Nov 14 22:13:20 2023")
                .containsPattern("Block count: +4096\n");
        String sized = sh("dumpe2fs -h sized.ext4 2>/dev/null");
        assertThat(sized).containsPattern("Filesystem volume name: +my-label\n")
                .containsPattern("Filesystem UUID: +" + UUID + "\n")
                .containsPattern("Directory Hash Seed: +" + EmitContext.uuidFrom("twinbuild\0ext4-hash-seed\0" + UUID))
                .containsPattern("Block count: +6144\n");
        assertThat(Files.size(builds.referenceOut().resolve("sized.ext4"))).isEqualTo(24L << 20);
    }

    @Test
    void everyInodeHasTheTreesOwnerModeAndTimes() throws IOException {
        String root = sh("debugfs -R 'ls -l /' t.ext4 2>/dev/null");
        assertThat(root).containsPattern("40755 \\(2\\) +0 +0 +4096 14-Nov-2023 22:13 \\.\n")
                .containsPattern("40700 \\(2\\) +0 +0 +16384 14-Nov-2023 22:13 lost\\+found\n")
                .containsPattern("100644 \\(1\\) +1000 +1000 +16 14-Nov-2023 22:13 future\n")
                .containsPattern("120777 \\(7\\) +0 +0 +7 13-Sep-2020 12:26 bin\n");
        String dev = sh("debugfs -R 'ls -l /dev' t.ext4 2>/dev/null");
        assertThat(dev).containsPattern("20600 \\(3\\) +0 +0 +0 13-Sep-2020 12:26 null\n")
                .containsPattern("60660 \\(4\\) +0 +0 +0 13-Sep-2020 12:26 loop0\n");
        assertThat(sh("debugfs -R 'stat /dev/null' t.ext4 2>/dev/null")).contains("Type: character special")
                .contains("Device major/minor number: 01:03");
        assertThat(sh("debugfs -R 'stat /dev/loop0' t.ext4 2>/dev/null")).contains("Type: block special")
                .contains("Device major/minor number: 07:00");
        assertThat(sh("debugfs -R 'ls -l /run' t.ext4 2>/dev/null"))
                .containsPattern("10600 \\(5\\) +0 +0 +0 13-Sep-2020 12:26 initctl\n");
        assertThat(sh("debugfs -R 'ls -l /usr/bin' t.ext4 2>/dev/null"))
                .containsPattern("104755 \\(1\\) +0 +0 +7 13-Sep-2020 12:26 su\n");
        String odd = sh("debugfs -R 'stat \"/" + FormatBuilds.ODD_NAME.replace("\"", "\"\"").replace("'", "'\\''")
                + "\"' t.ext4 2>/dev/null");
        assertThat(odd).contains("Mode:  0644").contains("Links: 1");
        // Every time of an inode is the entry's mtime, with no nanoseconds: atime, ctime, crtime included.
        String big = sh("debugfs -R 'stat /usr/share/big' t.ext4 2>/dev/null");
        for (String t : new String[]{" ctime", " atime", " mtime", "crtime"}) {
            assertThat(big).contains(t + ": 0x62590080:00000000 -- Fri Apr 15 05:20:00 2022");
        }
        String link = sh("debugfs -R 'stat /etc/link-second' t.ext4 2>/dev/null");
        assertThat(link).contains("Links: 2");
        assertThat(sh("debugfs -R 'stat /usr/lib/long' t.ext4 2>/dev/null")).contains("Type: symlink")
                .contains("Size: " + FormatBuilds.LONG_TARGET.length());
    }

    @Test
    void contentReadsBack() throws IOException {
        Path out = tmp.resolve("big.out");
        sh("debugfs -R 'dump /usr/share/big " + out + "' t.ext4");
        assertThat(Files.readAllBytes(out)).isEqualTo(FormatBuilds.BIG);
        assertThat(sh("debugfs -R 'cat \"/etc/ıİ-ünïcode\"' t.ext4 2>/dev/null")).isEqualTo("x\n");
    }

    @Test
    void aSizeTooSmallIsTheUsersToFix() throws IOException {
        byte[] twoMiB = new Tars().file("big", "x".repeat(2 << 20)).bytes();
        String yaml = FormatBuilds.manifest(Builds.input(tmp.resolve("small-in"), "layer.tar", twoMiB),
                "[{format: ext4, size: 1Mi}]", false, "");
        assertThatThrownBy(() -> Builds.build(yaml, tmp.resolve("small-in"), tmp.resolve("small")))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("spec.outputs[0].size: 1Mi is too small");
    }
}
