package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;

public enum OutputFormat {
    TAR("tar", "tar"),
    TAR_GZ("tar.gz", "tar.gz"),
    TAR_ZST("tar.zst", "tar.zst"),
    CPIO_GZ("cpio.gz", "cpio.gz"),
    SQUASHFS("squashfs", "squashfs"),
    EXT4("ext4", "ext4"),
    ISO("iso", "iso"),
    /** Two files: {@code <name>-kernel} and {@code <name>-initrd.img}; see {@link Output#fileNames}. */
    KERNEL_INITRD("kernel+initrd", "initrd.img"),
    OCI("oci", "oci.tar");

    private final String value;
    private final String extension;

    OutputFormat(String value, String extension) {
        this.value = value;
        this.extension = extension;
    }

    @JsonValue
    public String value() {
        return value;
    }

    public String extension() {
        return extension;
    }

    @JsonCreator
    public static OutputFormat of(String value) {
        return Arrays.stream(values()).filter(f -> f.value.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown format '" + value + "'"));
    }

    @Override
    public String toString() {
        return value;
    }
}
