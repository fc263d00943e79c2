package dev.twinbuild.manifest;

import dev.twinbuild.api.v1alpha1.IsoBoot;
import dev.twinbuild.api.v1alpha1.OciImageConfig;
import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.api.v1alpha1.OutputFormat;
import dev.twinbuild.api.v1alpha1.SquashfsCompression;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The per-format options of an output (label, uuid, size, compression, blockSize, kernel, boot, oci): the CRD's
 * CEL rules on Output and the field patterns, checked for the CLI, plus what only the CLI can say precisely.
 */
final class FormatOptions {
    private static final Pattern UUID = Pattern.compile(Output.UUID);
    private static final Pattern SIZE = Pattern.compile(Output.SIZE);
    private static final Pattern LABEL = Pattern.compile("^[\\x20-\\x7e]{1,32}$");
    private static final Pattern TAG = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$");
    private static final Pattern WORD = Pattern.compile("^[a-z0-9_]+$");

    private FormatOptions() {
    }

    static void validate(Output o, String f, List<String> e) {
        OutputFormat fmt = o.format;
        only(o.label != null, fmt == OutputFormat.EXT4 || fmt == OutputFormat.ISO, f + ".label", "ext4 and iso", e);
        only(o.uuid != null, fmt == OutputFormat.EXT4, f + ".uuid", "ext4", e);
        only(o.size != null, fmt == OutputFormat.EXT4, f + ".size", "ext4", e);
        only(o.compression != null, fmt == OutputFormat.SQUASHFS, f + ".compression", "squashfs", e);
        only(o.blockSize != null, fmt == OutputFormat.SQUASHFS, f + ".blockSize", "squashfs", e);
        only(o.kernel != null, fmt == OutputFormat.KERNEL_INITRD, f + ".kernel", "kernel+initrd", e);
        only(o.initrd != null, fmt == OutputFormat.KERNEL_INITRD, f + ".initrd", "kernel+initrd", e);
        only(o.boot != null, fmt == OutputFormat.ISO, f + ".boot", "iso", e);
        only(o.oci != null, fmt == OutputFormat.OCI, f + ".oci", "oci", e);
        if (o.level != null && (fmt == OutputFormat.EXT4 || fmt == OutputFormat.ISO)) {
            e.add(f + ".level: not for format " + fmt + " (it is not compressed)");
        }
        if (o.level != null && (fmt == OutputFormat.KERNEL_INITRD || fmt == OutputFormat.OCI) && o.level > 9) {
            e.add(f + ".level: gzip levels are 1-9");
        }
        if (o.label != null) {
            if (!LABEL.matcher(o.label).matches()) {
                e.add(f + ".label: 1-32 printable ASCII characters");
            } else if (fmt == OutputFormat.EXT4 && o.label.getBytes(StandardCharsets.US_ASCII).length > 16) {
                e.add(f + ".label: an ext4 label has at most 16 characters");
            }
        }
        if (o.uuid != null && !UUID.matcher(o.uuid).matches()) {
            e.add(f + ".uuid: must be a lowercase UUID like 0b8c2e6f-5d2a-4d6e-9f4b-2a6a7c0f1e11");
        }
        if (o.size != null) {
            if (!SIZE.matcher(o.size).matches()) {
                e.add(f + ".size: bytes, optionally with a suffix Ki, Mi, Gi or Ti (e.g. 512Mi)");
            } else if (Output.parseSize(o.size) < 1L << 20) {
                e.add(f + ".size: at least 1Mi");
            }
        }
        if (fmt == OutputFormat.SQUASHFS) {
            if (o.blockSize != null && (o.blockSize < 4096 || o.blockSize > 1 << 20 || Integer.bitCount(o.blockSize) != 1)) {
                e.add(f + ".blockSize: a power of two from 4096 to 1048576");
            }
            if (o.level != null) {
                SquashfsCompression c = o.compressionOrDefault();
                int max = switch (c) {
                    case gzip, lzo -> 9;
                    case zstd -> 22;
                    case xz, lz4 -> 0;
                };
                if (max == 0) {
                    e.add(f + ".level: squashfs compression " + c + " has no level");
                } else if (o.level > max) {
                    e.add(f + ".level: squashfs " + c + " levels are 1-" + max);
                }
            }
        }
        if (o.kernel != null) {
            path(o.kernel, f + ".kernel", e);
        }
        if (o.initrd != null) {
            path(o.initrd, f + ".initrd", e);
        }
        if (o.boot != null) {
            IsoBoot b = o.boot;
            if (b.image == null) {
                e.add(f + ".boot.image: required");
            } else {
                path(b.image, f + ".boot.image", e);
            }
            if (b.catalog != null) {
                path(b.catalog, f + ".boot.catalog", e);
            }
            if (b.efiImage != null) {
                path(b.efiImage, f + ".boot.efiImage", e);
            }
            if (b.efiDirectory != null) {
                path(b.efiDirectory, f + ".boot.efiDirectory", e);
                if (b.efiImage == null) {
                    e.add(f + ".boot.efiImage: required with efiDirectory (where the ESP is written in the ISO)");
                }
            }
            if (b.loadSize != null && (b.loadSize < 1 || b.loadSize > 65535)) {
                e.add(f + ".boot.loadSize: 1-65535 sectors");
            }
        }
        if (o.oci != null) {
            OciImageConfig c = o.oci;
            if (c.tag != null && !TAG.matcher(c.tag).matches()) {
                e.add(f + ".oci.tag: letters, digits, '_', '.', '-' (at most 128, not starting with '.' or '-')");
            }
            for (String[] w : new String[][]{{"architecture", c.architecture}, {"os", c.os}, {"variant", c.variant}}) {
                if (w[1] != null && !WORD.matcher(w[1]).matches()) {
                    e.add(f + ".oci." + w[0] + ": lowercase letters, digits and '_'");
                }
            }
            if (c.env != null) {
                for (int j = 0; j < c.env.size(); j++) {
                    String v = c.env.get(j);
                    if (v == null || v.indexOf('=') <= 0) {
                        e.add(f + ".oci.env[" + j + "]: must be NAME=value");
                    }
                }
            }
        }
    }

    private static void only(boolean set, boolean allowed, String field, String formats, List<String> e) {
        if (set && !allowed) {
            e.add(field + ": only for format" + (formats.contains(" and ") ? "s " : " ") + formats);
        }
    }

    private static void path(String p, String field, List<String> e) {
        if (!p.startsWith("/") || p.equals("/")) {
            e.add(field + ": an absolute path in the tree");
            return;
        }
        for (String part : p.substring(1).split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                e.add(field + ": no empty, '.' or '..' components");
                return;
            }
        }
    }
}
