package dev.twinbuild.pipeline.emit.kernel;

import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.TreeEntry;
import dev.twinbuild.testing.Builds;
import dev.twinbuild.testing.Commands;
import dev.twinbuild.testing.FormatBuilds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** kernel+initrd: two files, the same bytes under variations; the kernel out of the initrd; cpio reads it. */
class KernelInitrdTest {
    static final String KERNEL = "a kernel, as far as this test can tell\n";
    static final String KERNEL_LAYER = """
            - files:
                - {path: /boot/vmlinuz-6.1.0, content: "%s"}
                - {path: /vmlinuz, type: symlink, target: boot/vmlinuz-6.1.0}
                - {path: /boot/vmlinuz, type: symlink, target: ../vmlinuz}
                - {path: /init, mode: "0755", content: "#!/bin/sh\\n"}
            """.formatted(KERNEL.replace("\n", "\\n"));
    static final String OUTPUTS = "[{format: kernel+initrd, kernel: /boot/vmlinuz}, {format: kernel+initrd, name: lv,"
            + " level: 1}]";

    @TempDir
    static Path tmp;
    static FormatBuilds.Pair builds;

    @BeforeAll
    static void build() throws IOException {
        builds = FormatBuilds.build(tmp, OUTPUTS, true, KERNEL_LAYER);
    }

    @Test
    void twoFilesPerOutputWithTheSameBytesUnderVariations() {
        assertThat(builds.referenceDigests().keySet())
                .containsExactly("lv-initrd.img", "lv-kernel", "t-initrd.img", "t-kernel");
        assertThat(builds.variedDigests()).isEqualTo(builds.referenceDigests());
        assertThat(builds.reference().outputs()).extracting(o -> o.format()).containsOnly("kernel+initrd");
    }

    @Test
    void theKernelIsTheFileTheSymlinksLeadTo() throws IOException {
        assertThat(Files.readString(builds.referenceOut().resolve("t-kernel"))).isEqualTo(KERNEL);
        assertThat(Files.readString(builds.referenceOut().resolve("lv-kernel"))).isEqualTo(KERNEL);
    }

    @Test
    void theInitrdIsTheRestOfTheTreeAsCpioReadsIt() throws IOException {
        Commands.Result r = Commands.sh(builds.referenceOut(), "zcat t-initrd.img | cpio -it --quiet");
        assertThat(r.exit()).as(r.stderr()).isZero();
        List<String> names = r.stdout().lines().toList();
        // Out: the kernel and the symlink named in the spec; in: everything else, devices and FIFO included.
        assertThat(names).doesNotContain("boot/vmlinuz-6.1.0", "boot/vmlinuz")
                .contains(".", "boot", "vmlinuz", "init", "dev/null", "dev/loop0", "run/initctl", "etc/link-second",
                        FormatBuilds.ODD_NAME, "usr/share/big");
        // The default kernel path is /boot/vmlinuz too: the second output split the same way.
        Commands.Result lv = Commands.sh(builds.referenceOut(), "zcat lv-initrd.img | cpio -it --quiet");
        assertThat(lv.stdout()).isEqualTo(r.stdout());
        Path x = tmp.resolve("x");
        Files.createDirectories(x);
        Commands.Result big = Commands.sh(x, "zcat '" + builds.referenceOut().resolve("t-initrd.img")
                + "' | cpio -id --quiet usr/share/big");
        assertThat(big.exit()).as(big.stderr()).isZero();
        assertThat(Files.readAllBytes(x.resolve("usr/share/big"))).isEqualTo(FormatBuilds.BIG);
    }

    @Test
    void hardlinksOfTheKernelKeepTheirContent() {
        TreeEntry root = new TreeEntry("", EntryType.DIR, 0755, 0, 0, 0, 0, null, 0, 0, null);
        TreeEntry k = new TreeEntry("k", EntryType.FILE, 0644, 0, 0, 0, 5, null, 0, 0, Path.of("/src/k"));
        TreeEntry l1 = new TreeEntry("l1", EntryType.HARDLINK, 0600, 1, 1, 0, 0, "k", 0, 0, null);
        TreeEntry l2 = new TreeEntry("l2", EntryType.HARDLINK, 0600, 1, 1, 0, 0, "k", 0, 0, null);
        KernelInitrd split = KernelInitrd.split(List.of(root, k, l1, l2), "/k", "f");
        assertThat(split.kernel()).isEqualTo(k);
        assertThat(split.initrd()).containsExactly(root,
                new TreeEntry("l1", EntryType.FILE, 0600, 1, 1, 0, 5, null, 0, 0, Path.of("/src/k")),
                new TreeEntry("l2", EntryType.HARDLINK, 0600, 1, 1, 0, 0, "l1", 0, 0, null));
    }

    @Test
    void aMissingOrNonRegularKernelIsTheUsersToFix() throws IOException {
        Path in = tmp.resolve("bad-in");
        String sha = Builds.input(in, "layer.tar", FormatBuilds.tree(false, false));
        assertThatThrownBy(() -> Builds.build(FormatBuilds.manifest(sha, "[{format: kernel+initrd}]", false, ""),
                in, tmp.resolve("bad1")))
                .isInstanceOf(InputException.class)
                .hasMessage("spec.outputs[0].kernel: /boot/vmlinuz is not a regular file in the tree");
        assertThatThrownBy(() -> Builds.build(FormatBuilds.manifest(sha,
                "[{format: tar}, {format: kernel+initrd, kernel: /bin}]", false, ""), in, tmp.resolve("bad2")))
                .isInstanceOf(InputException.class)
                .hasMessage("spec.outputs[1].kernel: /bin is not a regular file in the tree (dir)");
    }
}
