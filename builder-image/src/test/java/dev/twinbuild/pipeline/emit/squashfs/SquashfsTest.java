package dev.twinbuild.pipeline.emit.squashfs;

import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.testing.Builds;
import dev.twinbuild.testing.Commands;
import dev.twinbuild.testing.FormatBuilds;
import dev.twinbuild.testing.Tars;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** squashfs: the same bytes under variations, and unsquashfs reads back the tree exactly. */
class SquashfsTest {
    static final String OUTPUTS = "[{format: squashfs}, {format: squashfs, name: t-gzip.squashfs, compression: gzip,"
            + " level: 5, blockSize: 4096}]";
    // unsquashfs -lln: owners, modes, sizes, device numbers, times (clamped to 2023-11-14 22:13), link targets.
    // The root's time is SOURCE_DATE_EPOCH: mksquashfs 4.5.1 takes no root time when reading a tar.
    static final String LISTING = """
            drwxr-xr-x 0/0 2023-11-14 22:13 squashfs-root
            lrwxrwxrwx 0/0 2020-09-13 12:26 squashfs-root/bin -> usr/bin
            drwxr-xr-x 0/0 2020-09-13 12:26 squashfs-root/dev
            brw-rw---- 0/0 7,0 2020-09-13 12:26 squashfs-root/dev/loop0
            crw------- 0/0 1,3 2020-09-13 12:26 squashfs-root/dev/null
            drwxr-xr-x 0/0 2020-09-13 12:26 squashfs-root/etc
            -rw-r--r-- 0/0 6 2020-09-13 12:26 squashfs-root/etc/a
            -rw-r--r-- 0/0 0 2020-09-13 12:26 squashfs-root/etc/empty
            -rw-r--r-- 0/0 7 2020-09-13 12:26 squashfs-root/etc/link-first
            -rw-r--r-- 0/0 7 2020-09-13 12:26 squashfs-root/etc/link-second
            -rw-r--r-- 0/0 4 2020-09-13 12:26 squashfs-root/etc/with space "quoted" 'single' *glob?[x] \\back
            -rw-r--r-- 0/0 2 2020-09-13 12:26 squashfs-root/etc/ıİ-ünïcode
            -rw-r--r-- 1000/1000 16 2023-11-14 22:13 squashfs-root/future
            drwxr-xr-x 0/0 2020-09-13 12:26 squashfs-root/home
            drwxr-xr-x 0/0 2023-11-14 22:13 squashfs-root/home/user
            -rw------- 1000/1000 9 2020-09-13 12:26 squashfs-root/home/user/.profile
            drwxr-xr-x 0/0 2020-09-13 12:26 squashfs-root/run
            prw------- 0/0 0 2020-09-13 12:26 squashfs-root/run/initctl
            drwxr-xr-x 0/0 2020-09-13 12:26 squashfs-root/usr
            drwxr-xr-x 0/0 2020-09-13 12:26 squashfs-root/usr/bin
            -rwsr-xr-x 0/0 7 2020-09-13 12:26 squashfs-root/usr/bin/su
            -rwxr-xr-x 0/0 10 2020-09-13 12:26 squashfs-root/usr/bin/tool
            drwxr-xr-x 0/0 2020-09-13 12:26 squashfs-root/usr/lib
            lrwxrwxrwx 0/0 2020-09-13 12:26 squashfs-root/usr/lib/long -> %s
            drwxr-xr-x 0/0 2023-11-14 22:13 squashfs-root/usr/share
            -rw-r--r-- 0/0 300000 2022-04-15 05:20 squashfs-root/usr/share/big
            """.formatted(FormatBuilds.LONG_TARGET);

    @TempDir
    static Path tmp;
    static FormatBuilds.Pair builds;

    @BeforeAll
    static void build() throws IOException {
        builds = FormatBuilds.build(tmp, OUTPUTS, true);
    }

    @Test
    void sameBytesUnderVariations() {
        assertThat(builds.variedDigests()).hasSize(2).isEqualTo(builds.referenceDigests());
    }

    @Test
    void unsquashfsListsTheTree() throws IOException {
        for (String file : new String[]{"t.squashfs", "t-gzip.squashfs"}) {
            Commands.Result r = Commands.sh(builds.referenceOut(), "unsquashfs -lln '" + file + "'");
            assertThat(r.exit()).as(r.stderr()).isZero();
            // unsquashfs pads sizes into a column and prints a symlink's size: drop both for the comparison.
            String listing = r.stdout().lines().map(SquashfsTest::withoutPadding)
                    .reduce("", (a, b) -> a + b + "\n");
            assertThat(listing).as(file).isEqualTo(LISTING);
        }
    }

    @Test
    void superblockHasTheFixedTimeAndTheOptions() throws IOException {
        Commands.Result r = Commands.sh(builds.referenceOut(), "unsquashfs -s t.squashfs; unsquashfs -s t-gzip.squashfs");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("Creation or last append time Tue Nov 14 22:13:20 2023")
                .contains("Compression zstd", "Block size 131072", "Compression gzip", "Block size 4096",
                        "compression-level 5");
    }

    @Test
    void contentAndHardlinksSurviveExtraction() throws IOException {
        Path x = tmp.resolve("extracted");
        Commands.Result r = Commands.sh(builds.referenceOut(), "unsquashfs -q -n -d '" + x + "' t.squashfs etc usr");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(Files.readAllBytes(x.resolve("usr/share/big"))).isEqualTo(FormatBuilds.BIG);
        assertThat(Files.readString(x.resolve(FormatBuilds.ODD_NAME))).isEqualTo("odd\n");
        assertThat(Files.getAttribute(x.resolve("etc/link-second"), "unix:ino", LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(Files.getAttribute(x.resolve("etc/link-first"), "unix:ino", LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void theRootKeepsItsOwnerWhenItIsNotTheBuildsUser() throws IOException {
        // mksquashfs gives the root the caller's uid/gid: here (uid 0 or not) the root is 1000:1000, so the
        // writer runs it under fakeroot, as it does for every non-root build of a root-owned tree.
        Path in = tmp.resolve("owned-in");
        String sha = Builds.input(in, "layer.tar", new Tars().dir("./", 0750, 1000, 1000, 1_600_000_000L)
                .file("f", "x\n").bytes());
        BuildResult r = Builds.build(FormatBuilds.manifest(sha, "[{format: squashfs}]", false, ""), in,
                tmp.resolve("owned"));
        Commands.Result l = Commands.sh(tmp.resolve("owned/out"), "unsquashfs -lln t.squashfs");
        assertThat(l.exit()).as(l.stderr()).isZero();
        assertThat(l.stdout().lines().findFirst().orElseThrow().replaceAll(" +", " "))
                .matches("drwxr-x--- 1000/1000 \\d+ 2023-11-14 22:13 squashfs-root");
        assertThat(r.outputs()).hasSize(1);
    }

    private static String withoutPadding(String line) {
        String[] f = line.trim().split(" +", 6);
        // mode owner size-or-devnums date time name; device numbers are "1,  3"
        String rest = line.trim().substring(line.trim().indexOf(f[1]) + f[1].length()).trim();
        String size;
        if (f[0].startsWith("b") || f[0].startsWith("c")) {
            int comma = rest.indexOf(',');
            String minorAndRest = rest.substring(comma + 1).trim();
            size = rest.substring(0, comma) + "," + minorAndRest.substring(0, minorAndRest.indexOf(' '));
            rest = minorAndRest.substring(minorAndRest.indexOf(' ') + 1);
        } else {
            size = rest.substring(0, rest.indexOf(' '));
            rest = rest.substring(rest.indexOf(' ') + 1);
        }
        boolean noSize = f[0].startsWith("d") || f[0].startsWith("l");
        return f[0] + " " + f[1] + (noSize ? "" : " " + size) + " " + rest;
    }
}
