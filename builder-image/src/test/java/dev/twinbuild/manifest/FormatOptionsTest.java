package dev.twinbuild.manifest;

import dev.twinbuild.pipeline.InputException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-format options: accepted where they belong, refused elsewhere with the field named. */
class FormatOptionsTest {
    private static String yaml(String outputs) {
        return """
                apiVersion: twinbuild.dev/v1alpha1
                kind: SystemImage
                metadata: {name: img}
                spec:
                  sourceDateEpoch: 1700000000
                  layers: [{files: [{path: /etc/hostname, content: "x"}]}]
                  outputs: %s
                """.formatted(outputs);
    }

    private static void refused(String outputs, String message) {
        assertThatThrownBy(() -> Manifests.parse(yaml(outputs), "t.yaml")).isInstanceOf(InputException.class)
                .hasMessageContaining(message);
    }

    @Test
    void everyFormatWithItsOptionsParses() {
        SystemImageDocument doc = Manifests.parse(yaml("""
                [{format: squashfs, compression: xz, blockSize: 65536},
                 {format: squashfs, name: z.squashfs, compression: zstd, level: 22},
                 {format: ext4, label: root, uuid: 0b8c2e6f-5d2a-4d6e-9f4b-2a6a7c0f1e11, size: 512Mi},
                 {format: iso, label: "Live 1.0", boot: {image: /isolinux/isolinux.bin, catalog: /isolinux/boot.cat,
                   loadSize: 4, infoTable: true, efiImage: /boot/efi.img}},
                 {format: kernel+initrd, kernel: /vmlinuz, level: 9},
                 {format: oci, level: 1, oci: {architecture: arm64, variant: v8, tag: "1.0", cmd: [/bin/sh],
                   env: ["A=b"], labels: {a: b}}}]"""), "t.yaml");
        assertThat(doc.spec.outputs).hasSize(6);
        assertThat(doc.spec.outputs.get(4).fileNames("img")).containsExactly("img-kernel", "img-initrd.img");
        assertThat(doc.spec.outputs.get(5).fileNames("img")).containsExactly("img.oci.tar");
        assertThat(doc.spec.outputs.get(0).fileNames("img")).containsExactly("img.squashfs");
    }

    @Test
    void optionsOfOtherFormatsAreRefused() {
        refused("[{format: tar, label: x}]", "spec.outputs[0].label: only for formats ext4 and iso");
        refused("[{format: iso, uuid: 0b8c2e6f-5d2a-4d6e-9f4b-2a6a7c0f1e11}]", "spec.outputs[0].uuid: only for format ext4");
        refused("[{format: ext4, compression: xz}]", "spec.outputs[0].compression: only for format squashfs");
        refused("[{format: squashfs, kernel: /k}]", "spec.outputs[0].kernel: only for format kernel+initrd");
        refused("[{format: ext4, boot: {image: /b}}]", "spec.outputs[0].boot: only for format iso");
        refused("[{format: tar, oci: {tag: x}}]", "spec.outputs[0].oci: only for format oci");
        refused("[{format: ext4, level: 3}]", "spec.outputs[0].level: not for format ext4");
    }

    @Test
    void valuesAreChecked() {
        refused("[{format: ext4, label: a-label-of-17-chr}]", "spec.outputs[0].label: an ext4 label has at most 16");
        refused("[{format: ext4, uuid: 0B8C2E6F-5D2A-4D6E-9F4B-2A6A7C0F1E11}]", "spec.outputs[0].uuid: must be a lowercase UUID");
        refused("[{format: ext4, size: 10MB}]", "spec.outputs[0].size: bytes, optionally with a suffix");
        refused("[{format: ext4, size: 100Ki}]", "spec.outputs[0].size: at least 1Mi");
        refused("[{format: squashfs, blockSize: 5000}]", "spec.outputs[0].blockSize: a power of two");
        refused("[{format: squashfs, compression: xz, level: 3}]", "spec.outputs[0].level: squashfs compression xz has no level");
        refused("[{format: squashfs, compression: gzip, level: 12}]", "spec.outputs[0].level: squashfs gzip levels are 1-9");
        refused("[{format: oci, level: 12}]", "spec.outputs[0].level: gzip levels are 1-9");
        refused("[{format: kernel+initrd, kernel: vmlinuz}]", "spec.outputs[0].kernel: an absolute path");
        refused("[{format: iso, boot: {image: /a/../b}}]", "spec.outputs[0].boot.image: no empty, '.' or '..'");
        refused("[{format: iso, boot: {image: /b, efiDirectory: /boot/efi}}]",
                "spec.outputs[0].boot.efiImage: required with efiDirectory");
        refused("[{format: iso, boot: {image: /b, efiDirectory: /, efiImage: /e.img}}]",
                "spec.outputs[0].boot.efiDirectory: an absolute path in the tree");
        refused("[{format: oci, oci: {env: [NOVALUE]}}]", "spec.outputs[0].oci.env[0]: must be NAME=value");
        refused("[{format: squashfs, compression: brotli}]", "spec.outputs[0].compression");
    }

    @Test
    void kernelInitrdFilesCountForDuplicates() {
        refused("[{format: kernel+initrd}, {format: tar, name: img-kernel}]",
                "spec.outputs[1].name: two outputs would both be written to img-kernel");
    }
}
