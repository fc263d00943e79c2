package dev.twinbuild.pipeline.emit;

import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.Pipeline;
import dev.twinbuild.testing.Commands;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What we write, read back by the standard tools: GNU tar, GNU cpio, gzip, zstd. */
class GnuToolsReadBackTest {
    static final Path EXAMPLES = Path.of(System.getProperty("twinbuild.examples", "../examples"));
    // The hello example as GNU tar lists it: names sorted by bytes, numeric owners, clamped times.
    static final String LISTING = """
            drwxr-xr-x 0/0 0 2023-07-22 04:26:40 ./
            lrwxrwxrwx 0/0 0 2023-07-22 04:26:40 ./bin -> usr/bin
            drwxr-xr-x 0/0 0 2023-11-14 22:13:20 ./etc/
            -rw-r--r-- 0/0 23 2023-07-22 04:26:40 ./etc/group
            -rw-r--r-- 0/0 6 2023-11-14 22:13:20 ./etc/hostname
            -rw-r--r-- 0/0 0 2023-11-14 22:13:20 ./etc/machine-id
            -rw-r--r-- 0/0 52 2023-11-14 22:13:20 ./etc/motd
            drwxr-xr-x 0/0 0 2023-11-14 22:13:20 ./etc/motd.d/
            -rw-r--r-- 0/0 41 2023-07-22 04:26:40 ./etc/os-release
            -rw-r--r-- 0/0 71 2023-07-22 04:26:40 ./etc/passwd
            drwxr-xr-x 0/0 0 2023-07-22 04:26:40 ./home/
            drwxr-xr-x 1000/1000 0 2023-07-22 04:26:40 ./home/user/
            -rw-r--r-- 1000/1000 21 2023-07-22 04:26:40 ./home/user/.profile
            drwx------ 0/0 0 2023-07-22 04:26:40 ./root/
            drwxrwxrwt 0/0 0 2023-07-22 04:26:40 ./tmp/
            drwxr-xr-x 0/0 0 2023-07-22 04:26:40 ./usr/
            drwxr-xr-x 0/0 0 2023-07-22 04:26:40 ./usr/bin/
            lrwxrwxrwx 0/0 0 2023-11-14 22:13:20 ./usr/bin/greet -> hello
            -rwxr-xr-x 0/0 49 2023-07-22 04:26:40 ./usr/bin/hello
            drwxr-xr-x 0/0 0 2023-07-22 04:26:40 ./usr/share/
            drwxr-xr-x 0/0 0 2023-07-22 04:26:40 ./usr/share/doc/
            drwxr-xr-x 0/0 0 2023-11-14 22:13:20 ./usr/share/doc/hello/
            -rw-r--r-- 0/0 41 2023-07-22 04:26:40 ./usr/share/doc/hello/README
            -rw-r--r-- 0/0 61 2023-11-14 22:13:20 ./usr/share/doc/hello/README.gz
            hrw-r--r-- 0/0 0 2023-07-22 04:26:40 ./usr/share/doc/hello/README.link link to ./usr/share/doc/hello/README
            drwxr-xr-x 0/0 0 2023-07-22 04:26:40 ./var/
            drwxr-xr-x 0/0 0 2023-11-14 22:13:20 ./var/cache/
            drwxr-xr-x 0/0 0 2023-11-14 22:13:20 ./var/log/
            """;

    @TempDir
    static Path tmp;
    static Path out;

    @BeforeAll
    static void build() throws IOException {
        out = tmp.resolve("out");
        Pipeline.build(Manifests.read(EXAMPLES.resolve("hello.yaml")), EXAMPLES, out,
                BuildOptions.defaults(tmp.resolve("work")));
    }

    /** GNU tar's verbose listing without column padding. */
    private static String gnuListing(String file, String decompress) throws IOException {
        Commands.Result r = Commands.sh(out, decompress + " " + file
                + " | tar --numeric-owner --full-time -tvf - | tr -s ' '");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stderr()).isEmpty();
        return r.stdout();
    }

    @Test
    void gnuTarListsTheExpectedTree() throws IOException {
        assertThat(gnuListing("hello.tar", "cat")).isEqualTo(LISTING);
        assertThat(gnuListing("hello.tar.gz", "gzip -dc")).isEqualTo(LISTING);
        assertThat(gnuListing("hello.tar.zst", "zstd -qdc")).isEqualTo(LISTING);
    }

    @Test
    void gnuTarExtractsTheContent() throws IOException {
        Path x = tmp.resolve("x");
        Files.createDirectories(x);
        Commands.Result r = Commands.sh(x, "tar --no-same-owner -xf " + out.resolve("hello.tar"));
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(Files.readString(x.resolve("etc/motd")))
                .isEqualTo("Welcome to hello, built from source date 1700000000\n");
        assertThat(Files.size(x.resolve("etc/machine-id"))).isZero();
        assertThat(x.resolve("var/log/build.log")).doesNotExist();
        assertThat(x.resolve("var/cache/hello")).doesNotExist();
        assertThat(Files.isSameFile(x.resolve("usr/share/doc/hello/README"), x.resolve("usr/share/doc/hello/README.link")))
                .isTrue();
        Commands.Result gz = Commands.sh(x, "gzip -lv usr/share/doc/hello/README.gz | tail -1; "
                + "od -An -tx1 -N10 usr/share/doc/hello/README.gz");
        // gzip header of the normalised file: no name flag, time zero.
        assertThat(gz.stdout()).contains("1f 8b 08 00 00 00 00 00");
    }

    @Test
    void gnuCpioListsTheInitrd() throws IOException {
        Commands.Result r = Commands.sh(out, "gzip -dc hello.cpio.gz | cpio -itv --numeric-uid-gid 2>&1 | tr -s ' '");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout())
                .contains("drwxr-xr-x 8 0 0 0 Jul 22 2023 .\n")
                .contains("lrwxrwxrwx 1 0 0 7 Jul 22 2023 bin -> usr/bin\n")
                .contains("-rw-r--r-- 1 0 0 52 Nov 14 2023 etc/motd\n")
                .contains("drwxr-xr-x 2 1000 1000 0 Jul 22 2023 home/user\n")
                .contains("-rw-r--r-- 2 0 0 0 Jul 22 2023 usr/share/doc/hello/README\n")
                .contains("-rw-r--r-- 2 0 0 41 Jul 22 2023 usr/share/doc/hello/README.link\n")
                .doesNotContain("var/log/");
        Path x = tmp.resolve("cpio-x");
        Files.createDirectories(x);
        Commands.Result ex = Commands.sh(x, "gzip -dc " + out.resolve("hello.cpio.gz") + " | cpio -idm --quiet");
        assertThat(ex.exit()).as(ex.stderr()).isZero();
        assertThat(Files.readString(x.resolve("usr/share/doc/hello/README")))
                .isEqualTo("Hello is an example image for Twinbuild.\n");
        assertThat(Files.isSameFile(x.resolve("usr/share/doc/hello/README"), x.resolve("usr/share/doc/hello/README.link")))
                .isTrue();
    }

    @Test
    void compressedOutputsPassTheirToolsIntegrityChecks() throws IOException {
        assertThat(Commands.sh(out, "gzip -t hello.tar.gz hello.cpio.gz").exit()).isZero();
        assertThat(Commands.sh(out, "zstd -qt hello.tar.zst").exit()).isZero();
        assertThat(Commands.sh(out, "gzip -dc hello.tar.gz | cmp - hello.tar").exit()).isZero();
        assertThat(Commands.sh(out, "zstd -qdc hello.tar.zst | cmp - hello.tar").exit()).isZero();
    }
}
