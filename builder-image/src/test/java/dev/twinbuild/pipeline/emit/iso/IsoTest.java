package dev.twinbuild.pipeline.emit.iso;

import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.testing.Builds;
import dev.twinbuild.testing.Commands;
import dev.twinbuild.testing.FormatBuilds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ISO 9660: the same bytes under variations; xorriso and isoinfo read back the tree, dates and boot record. */
class IsoTest {
    static final String BOOT_LAYER = """
            - files:
                - path: /isolinux/isolinux.bin
                  content: "a boot image of more than 64 bytes, for xorriso patches in a boot info table at 8-63\\n"
                - {path: /boot/efi.img, content: "not a FAT image\\n"}
            """;
    static final String OUTPUTS = "[{format: iso, label: TEST LIVE, boot: {image: /isolinux/isolinux.bin,"
            + " efiImage: /boot/efi.img}},"
            + " {format: iso, name: plain.iso}]";
    // xorriso -find / -exec lsdl: Rock Ridge modes, owners, sizes, mtimes (clamped) and link targets of the tree.
    static final String LISTING = """
            drwxr-xr-x 1 0 0 0 Nov 14 2023 '/'
            lrwxrwxrwx 1 0 0 0 Sep 13 2020 '/bin' -> 'usr/bin'
            drwxr-xr-x 1 0 0 0 Nov 14 2023 '/boot'
            -rw-r--r-- 1 0 0 16 Nov 14 2023 '/boot/efi.img'
            drwxr-xr-x 1 0 0 0 Sep 13 2020 '/etc'
            -rw-r--r-- 1 0 0 6 Sep 13 2020 '/etc/a'
            -rw-r--r-- 1 0 0 0 Sep 13 2020 '/etc/empty'
            -rw-r--r-- 1 0 0 7 Sep 13 2020 '/etc/link-first'
            -rw-r--r-- 1 0 0 7 Sep 13 2020 '/etc/link-second'
            -rw-r--r-- 1 0 0 4 Sep 13 2020 '/etc/with space "quoted" '"'"'single'"'"' *glob?[x] \\back'
            -rw-r--r-- 1 0 0 2 Sep 13 2020 '/etc/ıİ-ünïcode'
            -rw-r--r-- 1 1000 1000 16 Nov 14 2023 '/future'
            drwxr-xr-x 1 0 0 0 Sep 13 2020 '/home'
            drwxr-xr-x 1 0 0 0 Nov 14 2023 '/home/user'
            -rw------- 1 1000 1000 9 Sep 13 2020 '/home/user/.profile'
            drwxr-xr-x 1 0 0 0 Nov 14 2023 '/isolinux'
            er--r--r-- 1 0 0 2048 Nov 14 2023 '/isolinux/boot.cat'
            -rw-r--r-- 1 0 0 85 Nov 14 2023 '/isolinux/isolinux.bin'
            drwxr-xr-x 1 0 0 0 Sep 13 2020 '/run'
            prw------- 1 0 0 0 Sep 13 2020 '/run/initctl'
            drwxr-xr-x 1 0 0 0 Sep 13 2020 '/usr'
            drwxr-xr-x 1 0 0 0 Sep 13 2020 '/usr/bin'
            -rwsr-xr-x 1 0 0 7 Sep 13 2020 '/usr/bin/su'
            -rwxr-xr-x 1 0 0 10 Sep 13 2020 '/usr/bin/tool'
            drwxr-xr-x 1 0 0 0 Sep 13 2020 '/usr/lib'
            lrwxrwxrwx 1 0 0 0 Sep 13 2020 '/usr/lib/long' -> '%s'
            drwxr-xr-x 1 0 0 0 Nov 14 2023 '/usr/share'
            -rw-r--r-- 1 0 0 300000 Apr 15 2022 '/usr/share/big'
            """.formatted(FormatBuilds.LONG_TARGET);

    @TempDir
    static Path tmp;
    static FormatBuilds.Pair builds;

    @BeforeAll
    static void build() throws IOException {
        builds = FormatBuilds.build(tmp, OUTPUTS, false, BOOT_LAYER);
    }

    private static String sh(String script) throws IOException {
        Commands.Result r = Commands.sh(builds.referenceOut(), script);
        assertThat(r.exit()).as(script + "\n" + r.stderr()).isZero();
        return r.stdout();
    }

    @Test
    void sameBytesUnderVariations() {
        assertThat(builds.variedDigests()).hasSize(2).isEqualTo(builds.referenceDigests());
    }

    @Test
    void xorrisoListsTheTreeWithItsOwnersModesAndTimes() throws IOException {
        String out = sh("xorriso -no_rc -indev t.iso -find / -exec lsdl -- 2>/dev/null");
        String listing = out.lines().map(l -> l.replaceAll(" +", " ")).reduce("", (a, b) -> a + b + "\n");
        assertThat(listing).isEqualTo(LISTING);
    }

    @Test
    void volumeDescriptorHasTheLabelAndTheFixedDates() throws IOException {
        String d = sh("isoinfo -d -i t.iso");
        assertThat(d).contains("Volume id: TEST LIVE", "Joliet with UCS level 3 found",
                "Rock Ridge signatures version 1 found", "El Torito VD version 1 found");
        String dates = sh("xorriso -no_rc -indev t.iso -pvd_info 2>/dev/null");
        assertThat(dates).contains("Creation Time: 2023111422132000", "Modif. Time  : 2023111422132000");
        assertThat(sh("isoinfo -d -i plain.iso")).contains("Volume id: T\n").doesNotContain("El Torito");
    }

    @Test
    void elToritoBootsTheImageFromTheTree() throws IOException {
        String report = sh("xorriso -no_rc -indev t.iso -report_el_torito plain 2>/dev/null");
        assertThat(report).contains("El Torito cat path : /isolinux/boot.cat")
                .contains("El Torito img path :   1  /isolinux/isolinux.bin")
                .contains("El Torito img opts :   1  boot-info-table")
                .containsPattern("El Torito boot img : +1 +BIOS +y +none +0x0000 +0x00 +4 ")
                .containsPattern("El Torito boot img : +2 +UEFI +y +none ")
                .contains("El Torito img path :   2  /boot/efi.img");
    }

    @Test
    void contentReadsBack() throws IOException {
        Path x = tmp.resolve("x");
        sh("xorriso -no_rc -osirrox on -indev t.iso -extract /usr/share/big '" + x.resolve("big") + "' "
                + "-extract /etc '" + x.resolve("etc") + "' 2>/dev/null");
        assertThat(Files.readAllBytes(x.resolve("big"))).isEqualTo(FormatBuilds.BIG);
        assertThat(Files.readString(x.resolve("etc").resolve(FormatBuilds.ODD_NAME.substring(4)))).isEqualTo("odd\n");
    }

    @Test
    void hardlinksShareTheirDataAndRecordTheLinkCount() throws IOException {
        // isoinfo: "-rw-r--r--   2    0    0   7 Sep 13 2020 [     LBA 00]  link-first"
        String etc = sh("isoinfo -l -R -i t.iso");
        java.util.regex.Matcher first = java.util.regex.Pattern.compile(
                "-rw-r--r-- +2 +0 +0 +7 [^\\[]+\\[ *(\\d+) 00\\] +link-first").matcher(etc);
        java.util.regex.Matcher second = java.util.regex.Pattern.compile(
                "-rw-r--r-- +2 +0 +0 +7 [^\\[]+\\[ *(\\d+) 00\\] +link-second").matcher(etc);
        assertThat(first.find()).as(etc).isTrue();
        assertThat(second.find()).as(etc).isTrue();
        assertThat(second.group(1)).isEqualTo(first.group(1));
    }

    @Test
    void deviceNodesAreRefusedWithTheirPath() throws IOException {
        Path in = tmp.resolve("dev-in");
        String yaml = FormatBuilds.manifest(Builds.input(in, "layer.tar", FormatBuilds.tree(false, true)),
                "[{format: tar}, {format: iso}]", true, "");
        assertThatThrownBy(() -> Builds.build(yaml, in, tmp.resolve("dev")))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("spec.outputs[1]: format iso cannot hold device nodes (/dev/loop0)");
    }

    @Test
    void aBootCatalogMayNotHideATreeFile() throws IOException {
        Path in = tmp.resolve("cat-in");
        String yaml = FormatBuilds.manifest(Builds.input(in, "layer.tar", FormatBuilds.tree(false, false)),
                "[{format: iso, boot: {image: /usr/bin/tool, catalog: /etc/a}}]", false, "");
        assertThatThrownBy(() -> Builds.build(yaml, in, tmp.resolve("cat")))
                .isInstanceOf(InputException.class)
                .hasMessageContaining("spec.outputs[0].boot.catalog: /etc/a exists in the tree");
    }
}
