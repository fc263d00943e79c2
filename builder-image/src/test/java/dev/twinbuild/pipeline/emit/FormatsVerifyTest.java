package dev.twinbuild.pipeline.emit;

import dev.twinbuild.testing.Commands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * examples/formats.yaml verified the way a user verifies it: two builds in their own processes, the second under
 * every variation (another user and umask, environment, locale, time zone, PATH, HOME, build path, directory
 * order, CPUs), and every output of every format identical to the golden digests.
 */
class FormatsVerifyTest {
    static final Path JAR = Path.of(System.getProperty("twinbuild.jar", "target/twinbuild.jar"));
    static final Path EXAMPLES = Path.of(System.getProperty("twinbuild.examples", "../examples")).toAbsolutePath();

    @TempDir
    Path tmp;

    @Test
    void everyFormatIsReproducibleUnderAllVariations() throws IOException {
        Commands.Result r = Commands.run(tmp, Map.of(), List.of("java", "-jar", JAR.toAbsolutePath().toString(),
                "verify", EXAMPLES.resolve("formats.yaml").toString(), "--out", tmp.resolve("out").toString()));
        assertThat(r.exit()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains(Files.readString(EXAMPLES.resolve("golden/formats.sha256")))
                .contains("reproducible: 2 builds agree on 7 outputs")
                .contains("build 1: [environment, build_path, time, timezone, locales, umask, user_group");
    }
}
