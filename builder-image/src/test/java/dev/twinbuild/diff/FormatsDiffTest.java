package dev.twinbuild.diff;

import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.Pipeline;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Two builds of examples/formats.yaml that differ in one file's content and another's mode, per format. */
class FormatsDiffTest {
    static final Path EXAMPLES = Path.of(System.getProperty("twinbuild.examples", "../examples"));

    @TempDir
    static Path tmp;

    @BeforeAll
    static void build() throws IOException {
        String yaml = Files.readString(EXAMPLES.resolve("formats.yaml"));
        Files.createDirectories(tmp.resolve("in"));
        Files.copy(EXAMPLES.resolve("hello-rootfs.tar.gz"), tmp.resolve("in/hello-rootfs.tar.gz"));
        Files.writeString(tmp.resolve("in/a.yaml"), yaml);
        Files.writeString(tmp.resolve("in/b.yaml"), yaml.replace("content: \"formats\\n\"", "content: \"changed\\n\"")
                .replace("mode: \"0755\"", "mode: \"0700\""));
        for (String side : new String[]{"a", "b"}) {
            Pipeline.build(Manifests.read(tmp.resolve("in/" + side + ".yaml")), tmp.resolve("in"), tmp.resolve(side),
                    BuildOptions.defaults(tmp.resolve("work-" + side)));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "formats.squashfs, /etc/hostname, /init",
        "formats.ext4, /etc/hostname, /init",
        "formats.iso, /etc/hostname, /init",
        "formats-initrd.img, etc/hostname, init",
        "formats.oci.tar, oci:layer-0!/./etc/hostname, oci:layer-0!/./init"})
    void theDifferingFileAndKindAreNamed(String file, String changed, String chmodded) throws IOException {
        DiffReport r = ArchiveDiff.diff(tmp.resolve("a").resolve(file), tmp.resolve("b").resolve(file));
        assertThat(r.identical).isFalse();
        assertThat(r.nestedPaths()).contains(changed, chmodded);
        assertThat(r.toText()).contains("\"formats\" → \"changed\"").contains("mode: 755 → 700");
    }
}
