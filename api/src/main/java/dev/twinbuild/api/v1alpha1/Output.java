package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
@ValidationRule(value = "!has(self.label) || self.format == 'ext4' || self.format == 'iso'",
        message = "label is only for formats ext4 and iso")
@ValidationRule(value = "!has(self.label) || self.format != 'ext4' || size(self.label) <= 16",
        message = "an ext4 label has at most 16 characters")
@ValidationRule(value = "(!has(self.uuid) && !has(self.size)) || self.format == 'ext4'",
        message = "uuid and size are only for format ext4")
@ValidationRule(value = "(!has(self.compression) && !has(self.blockSize)) || self.format == 'squashfs'",
        message = "compression and blockSize are only for format squashfs")
@ValidationRule(value = "(!has(self.kernel) && !has(self.initrd)) || self.format == 'kernel+initrd'",
        message = "kernel and initrd are only for format kernel+initrd")
@ValidationRule(value = "!has(self.boot) || self.format == 'iso'", message = "boot is only for format iso")
@ValidationRule(value = "!has(self.oci) || self.format == 'oci'", message = "oci is only for format oci")
@ValidationRule(value = "!has(self.level) || (self.format != 'ext4' && self.format != 'iso')",
        message = "level is not for formats ext4 and iso")
public class Output {
    public static final String DEFAULT_KERNEL = "/boot/vmlinuz";
    public static final String UUID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";
    public static final String SIZE = "^[1-9][0-9]{0,15}(Ki|Mi|Gi|Ti)?$";

    @Required
    public OutputFormat format;

    @Pattern("^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$")
    @JsonPropertyDescription("File name of the output; default <image name>.<format extension>. For kernel+initrd "
            + "the base of two names: <name>-kernel and <name>-initrd.img (default name: the image name).")
    @Size(max = 128)
    public String name;

    @Min(1)
    @Max(22)
    @JsonPropertyDescription("Compression level for gzip (1-9; tar.gz, cpio.gz, kernel+initrd, oci, squashfs gzip), "
            + "zstd (1-22; tar.zst, squashfs zstd) or lzo (1-9); defaults 6 for gzip outputs, 19 for tar.zst, "
            + "mksquashfs's own for squashfs.")
    public Integer level;

    @Pattern("^[\\x20-\\x7e]{1,32}$")
    @JsonPropertyDescription("ext4 and iso: the volume label (printable ASCII; ext4 at most 16 characters, "
            + "iso at most 32); default the image name.")
    @Size(max = 32)
    public String label;

    @Pattern(UUID)
    @JsonPropertyDescription("ext4: filesystem UUID (lowercase); default derived from the SHA-256 of the tree and "
            + "the output's file name, so the same tree always gives the same UUID. The directory hash seed is "
            + "derived from it.")
    @Size(max = 36)
    public String uuid;

    @Pattern(SIZE)
    @JsonPropertyDescription("ext4: image size in bytes, or with a suffix Ki, Mi, Gi, Ti (e.g. 512Mi); default "
            + "computed from the tree with headroom.")
    @Size(max = 24)
    public String size;

    @JsonPropertyDescription("squashfs: compressor, one of gzip, xz, zstd (default), lzo, lz4.")
    public SquashfsCompression compression;

    @Min(4096)
    @Max(1048576)
    @JsonPropertyDescription("squashfs: data block size in bytes, a power of two from 4096 to 1048576; "
            + "default 131072.")
    public Integer blockSize;

    @Pattern(Patterns.ABSOLUTE_PATH)
    @JsonPropertyDescription("kernel+initrd: path of the kernel in the tree (symlinks resolved inside the tree); "
            + "it is written as <name>-kernel and left out of the initrd. Default /boot/vmlinuz.")
    @Size(max = 4096)
    public String kernel;

    @Pattern(Patterns.ABSOLUTE_PATH)
    @JsonPropertyDescription("kernel+initrd: an initrd file of the tree (e.g. /initrd.img, made by initramfs-tools), "
            + "written as it is; default: the rest of the tree packed as the initrd (cpio newc, gzip).")
    public String initrd;

    @JsonPropertyDescription("iso: El Torito boot from files in the tree.")
    public IsoBoot boot;

    @JsonPropertyDescription("oci: the image configuration.")
    public OciImageConfig oci;

    public String kernelOrDefault() {
        return kernel != null ? kernel : DEFAULT_KERNEL;
    }

    public SquashfsCompression compressionOrDefault() {
        return compression != null ? compression : SquashfsCompression.zstd;
    }

    /** Bytes of a size like "512Mi" (see {@link #size}); Long.MAX_VALUE when it overflows. */
    public static long parseSize(String s) {
        long unit = 1;
        String digits = s;
        String[] suffixes = {"Ki", "Mi", "Gi", "Ti"};
        for (int i = 0; i < suffixes.length; i++) {
            if (s.endsWith(suffixes[i])) {
                unit = 1L << (10 * (i + 1));
                digits = s.substring(0, s.length() - 2);
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The files this output writes, in the order they are listed in the build record. */
    public List<String> fileNames(String imageName) {
        if (format == OutputFormat.KERNEL_INITRD) {
            String base = name != null ? name : imageName;
            return List.of(base + "-kernel", base + "-initrd.img");
        }
        return List.of(name != null ? name : imageName + "." + format.extension());
    }
}
