package dev.twinbuild.packages;

import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.Pipeline;
import dev.twinbuild.pipeline.tree.Rootfs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * examples/debian-live.yaml, built once from its lock (package files cached in ~/.cache/twinbuild), has the golden
 * digests and boots in QEMU (TCG, no KVM): the ext4 root with the kernel and initrd directly, and the ISO through
 * El Torito — on BIOS with isolinux, on UEFI (OVMF, Debian's ovmf) with GRUB from the ESP Twinbuild made. Each boot
 * passes when the image's own systemd prints the marker on the serial console; the serial logs stay in
 * target/boot-logs/.
 */
class DebianLiveBootTest {
    static final Path EXAMPLES = Path.of(System.getProperty("twinbuild.examples", "../examples"));
    static final String MARKER = "TWINBUILD-BOOT-OK debian-live";
    static final Duration BOOT_LIMIT = Duration.ofMinutes(6);
    static final Path TARGET = Path.of("target").toAbsolutePath();
    // Debian's ovmf: the firmware read-only, a private copy of its variable store (the firmware writes to it).
    static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd");
    static final Path OVMF_VARS = Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd");
    static Path out;
    static BuildResult built;

    @BeforeAll
    static void buildOnce() throws IOException {
        Path work = TARGET.resolve("debian-live-work");
        out = TARGET.resolve("debian-live");
        Rootfs.deleteTree(work);
        Rootfs.deleteTree(out);
        long start = System.nanoTime();
        built = Pipeline.build(Manifests.read(EXAMPLES.resolve("debian-live.yaml")), EXAMPLES, out,
                new BuildOptions(work, PackageFetch.userCache(), 0, BuildOptions.DirOrder.NATURAL,
                        Runtime.getRuntime().availableProcessors(), null, new TreeMap<>()));
        System.out.printf("debian-live built in %d s%n", Duration.ofNanos(System.nanoTime() - start).toSeconds());
        Rootfs.deleteTree(work);
    }

    @Test
    void outputsMatchTheGoldenDigests() throws IOException {
        StringBuilder sums = new StringBuilder();
        for (OutputArtifact o : built.outputs()) {
            sums.append(o.sha256()).append("  ").append(o.file()).append('\n');
            System.out.printf("%s: %d bytes%n", o.file(), Files.size(out.resolve(o.file())));
        }
        Path golden = EXAMPLES.resolve("golden/debian-live.sha256");
        if (Boolean.getBoolean("twinbuild.golden.update")) {
            Files.writeString(golden, sums.toString());
        }
        assertThat(sums.toString()).as("outputs of examples/debian-live.yaml (golden: %s)", golden)
                .isEqualTo(Files.readString(golden));
        String record = Files.readString(built.record());
        assertThat(record).contains("\"kind\" : \"packages\"", "/etc/apt/sources.list", "mmdebstrap");
    }

    @Test
    void ext4RootBootsWithKernelAndInitrd() throws IOException {
        // QEMU writes to the disk: boot a copy, the output stays as built.
        Path disk = Files.copy(out.resolve("debian-live.ext4"), TARGET.resolve("boot-direct.ext4"),
                StandardCopyOption.REPLACE_EXISTING);
        boot("direct", List.of("-kernel", out.resolve("debian-live-kernel").toString(),
                "-initrd", out.resolve("debian-live-initrd.img").toString(),
                "-append", "root=/dev/vda rw console=ttyS0 panic=1",
                "-drive", "file=" + disk + ",format=raw,if=virtio"));
        Files.delete(disk);
    }

    @Test
    void isoBootsThroughElTorito() throws IOException {
        boot("iso", List.of("-cdrom", out.resolve("debian-live.iso").toString(), "-boot", "d"));
    }

    @Test
    void isoBootsThroughElToritoOnUefi() throws IOException {
        assertThat(OVMF_CODE).as("UEFI firmware (apt-get install ovmf)").isRegularFile();
        Path vars = Files.copy(OVMF_VARS, TARGET.resolve("boot-uefi-vars.fd"), StandardCopyOption.REPLACE_EXISTING);
        boot("iso-uefi", List.of("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
                "-drive", "if=pflash,format=raw,unit=1,file=" + vars,
                "-cdrom", out.resolve("debian-live.iso").toString(), "-boot", "d"));
        Files.delete(vars);
    }

    private static void boot(String name, List<String> args) throws IOException {
        Path logs = Files.createDirectories(TARGET.resolve("boot-logs"));
        Path serial = logs.resolve(name + ".log");
        Files.deleteIfExists(serial);
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "pc", "-accel", "tcg",
                "-m", "1024", "-smp", "1", "-no-reboot", "-nographic", "-monitor", "none", "-display", "none",
                "-serial", "file:" + serial));
        cmd.addAll(args);
        long start = System.nanoTime();
        Process qemu = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + "-qemu.log").toFile()).start();
        try {
            await().atMost(BOOT_LIMIT).pollInterval(Duration.ofSeconds(1))
                    .until(() -> serialLog(serial).contains(MARKER) || !qemu.isAlive());
            System.out.printf("boot %s: marker after %d s%n", name,
                    Duration.ofNanos(System.nanoTime() - start).toSeconds());
            assertThat(serialLog(serial)).as("serial console of the %s boot (%s)", name, serial).contains(MARKER);
        } finally {
            qemu.destroyForcibly();
        }
    }

    private static String serialLog(Path p) throws IOException {
        return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1) : "";
    }
}
