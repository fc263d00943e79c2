package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** El Torito boot records of an ISO, from files of the tree (like mkisofs -b/-c/-boot-info-table/-e). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class IsoBoot {
    @Required
    @Pattern(Patterns.ABSOLUTE_PATH)
    @JsonPropertyDescription("BIOS no-emulation boot image in the tree, e.g. /isolinux/isolinux.bin.")
    @Size(max = 4096)
    public String image;

    @Pattern(Patterns.ABSOLUTE_PATH)
    @JsonPropertyDescription("Where the boot catalog is written; default boot.cat next to the image. "
            + "It must not exist in the tree.")
    @Size(max = 4096)
    public String catalog;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Sectors of 512 bytes the BIOS loads; default 4.")
    public Integer loadSize;

    @JsonPropertyDescription("Patch a boot info table into the image, as isolinux and GRUB's eltorito.img need; "
            + "default true.")
    public Boolean infoTable;

    @Pattern(Patterns.ABSOLUTE_PATH)
    @JsonPropertyDescription("Optional UEFI boot image (a FAT filesystem image), e.g. /boot/efi.img: a file of the "
            + "tree, or with efiDirectory where the ESP made from it is written (then it must not exist in the tree).")
    @Size(max = 4096)
    public String efiImage;

    @Pattern(Patterns.ABSOLUTE_PATH)
    @JsonPropertyDescription("A directory of the tree packed as the UEFI boot image (a FAT EFI system partition with "
            + "a fixed serial, label, times and order), e.g. /boot/efi holding EFI/BOOT/BOOTX64.EFI; needs efiImage.")
    @Size(max = 4096)
    public String efiDirectory;

    public String catalogOrDefault() {
        if (catalog != null) {
            return catalog;
        }
        int slash = image.lastIndexOf('/');
        return image.substring(0, slash + 1) + "boot.cat";
    }

    public int loadSizeOrDefault() {
        return loadSize != null ? loadSize : 4;
    }

    public boolean infoTableOrDefault() {
        return infoTable == null || infoTable;
    }
}
