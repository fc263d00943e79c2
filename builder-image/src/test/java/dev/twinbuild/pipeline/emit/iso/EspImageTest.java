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

/**
 * The ESP an ISO's UEFI entry boots from, made from a directory of the tree: the same bytes under variations
 * (directory order, time zone, locale, build path, clock), a clean FAT that fsck.fat and mtools read back with the
 * fixed serial and label, the tree's names, contents and mtimes; what FAT cannot hold is refused by path.
 */
class EspImageTest {
    static final String ESP_LAYER = """
            - files:
                - {path: /isolinux/isolinux.bin, content: "a boot image of more than 64 bytes, for xorriso's boot info table\\n"}
                - {path: /usr/share/EFI/BOOT/BOOTX64.EFI, content: "not really a PE image\\n"}
                - {path: /usr/share/loader/a-long-file-name.conf, content: "timeout 0\\n"}
            """;
    static final String BOOT = "{image: /isolinux/isolinux.bin, efiDirectory: /usr/share, efiImage: /isolinux/efi.img}";

    @TempDir
    static Path tmp;
    static FormatBuilds.Pair builds;
    static Path esp;

    @BeforeAll
    static void build() throws IOException {
        builds = FormatBuilds.build(tmp, "[{format: iso, boot: " + BOOT + "}]", false, ESP_LAYER);
        esp = tmp.resolve("efi.img");
        sh("xorriso -no_rc -osirrox on -indev t.iso -extract /isolinux/efi.img '" + esp + "' 2>/dev/null");
    }

    private static String sh(String script) throws IOException {
        Commands.Result r = Commands.sh(builds.referenceOut(), script);
        assertThat(r.exit()).as(script + "\n" + r.stdout() + r.stderr()).isZero();
        return r.stdout();
    }

    @Test
    void sameBytesUnderVariations() {
        assertThat(builds.variedDigests()).hasSize(1).isEqualTo(builds.referenceDigests());
    }

    @Test
    void elToritoHasTheUefiEntryAtEfiImage() throws IOException {
        String report = sh("xorriso -no_rc -indev t.iso -report_el_torito plain 2>/dev/null");
        assertThat(report).containsPattern("El Torito boot img : +2 +UEFI +y +none ")
                .contains("El Torito img path :   2  /isolinux/efi.img");
        String listing = sh("xorriso -no_rc -indev t.iso -find /isolinux/efi.img -exec lsdl -- 2>/dev/null");
        assertThat(listing.replaceAll(" +", " ")).contains("-rw-r--r-- 1 0 0 " + Files.size(esp) + " Nov 14 2023");
    }

    @Test
    void fatIsCleanWithTheFixedSerialAndLabel() throws IOException {
        sh("fsck.fat -n '" + esp + "'");
        String info = sh("MTOOLS_SKIP_CHECK=1 minfo -i '" + esp + "' ::");
        assertThat(info).contains("serial number: 6553F100", "disk label=\"EFIBOOT    \"", "disk type=\"FAT12   \"");
    }

    @Test
    void mtoolsListsTheTreeWithItsTimes() throws IOException {
        // mdir: short name, extension, size, date, time (UTC), long name; 1650000000 = 2022-04-15 05:20:00.
        String listing = sh("MTOOLS_SKIP_CHECK=1 TZ=UTC mdir -/ -i '" + esp + "' ::/").replaceAll(" +", " ");
        assertThat(listing)
                .contains("EFI <DIR> 2023-11-14 22:13")
                .contains("BOOT <DIR> 2023-11-14 22:13")
                .contains("BOOTX64 EFI 22 2023-11-14 22:13")
                .contains("big 300000 2022-04-15 5:20")
                .contains("loader <DIR> 2023-11-14 22:13")
                .contains("A-LONG~1 CON 10 2023-11-14 22:13 a-long-file-name.conf");
        Path big = tmp.resolve("big");
        sh("MTOOLS_SKIP_CHECK=1 mcopy -i '" + esp + "' ::/big '" + big + "'");
        assertThat(Files.readAllBytes(big)).isEqualTo(FormatBuilds.BIG);
    }

    @Test
    void theRecordNamesTheFatTools() throws IOException {
        assertThat(Files.readString(builds.reference().record()))
                .containsPattern("\"mkfs.fat\" : \"Debian dosfstools [^\"]+\"")
                .containsPattern("\"mcopy\" : \"mcopy \\(GNU mtools\\) [^\"]+ \\(Debian mtools [^\"]+\\)\"");
    }

    @Test
    void whatFatCannotHoldIsRefusedByPath() throws IOException {
        refused("{image: /usr/bin/tool, efiDirectory: /usr/lib, efiImage: /efi.img}",
                "spec.outputs[0].boot.efiDirectory: /usr/lib/long: an ESP (FAT) holds only directories and regular");
        refused("{image: /usr/bin/tool, efiDirectory: /etc, efiImage: /efi.img}",
                "spec.outputs[0].boot.efiDirectory: /etc/with space \"quoted\" 'single' *glob?[x] \\back: FAT names");
        refused("{image: /usr/bin/tool, efiDirectory: /usr/bin, efiImage: /etc/a}",
                "spec.outputs[0].boot.efiImage: /etc/a exists in the tree; the ESP made from efiDirectory");
        refused("{image: /usr/bin/tool, efiDirectory: /usr/bin/tool, efiImage: /efi.img}",
                "spec.outputs[0].boot.efiDirectory: /usr/bin/tool is not a directory of the tree");
    }

    private static void refused(String boot, String message) throws IOException {
        Path in = tmp.resolve("refused-in");
        String yaml = FormatBuilds.manifest(Builds.input(in, "layer.tar", FormatBuilds.tree(false, false)),
                "[{format: iso, boot: " + boot + "}]", false, "");
        assertThatThrownBy(() -> Builds.build(yaml, in, tmp.resolve("refused")))
                .isInstanceOf(InputException.class).hasMessageContaining(message);
    }
}
