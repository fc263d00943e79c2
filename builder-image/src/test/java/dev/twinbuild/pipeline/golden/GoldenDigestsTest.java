package dev.twinbuild.pipeline.golden;

import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.Pipeline;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The examples' digests are pinned in examples/golden/: any change in the bytes we write must be a
 * deliberate, reviewed change. Refresh with -Dtwinbuild.golden.update=true and review the diff.
 */
class GoldenDigestsTest {
    static final Path EXAMPLES = Path.of(System.getProperty("twinbuild.examples", "../examples"));

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"hello", "minimal", "formats"})
    void outputsMatchTheGoldenDigests(String example) throws IOException {
        Path manifest = EXAMPLES.resolve(example + ".yaml");
        BuildResult r = Pipeline.build(Manifests.read(manifest), EXAMPLES, tmp.resolve("out"),
                BuildOptions.defaults(tmp.resolve("work")));
        StringBuilder sums = new StringBuilder();
        for (OutputArtifact o : r.outputs()) {
            sums.append(o.sha256()).append("  ").append(o.file()).append('\n');
        }
        Path golden = EXAMPLES.resolve("golden").resolve(example + ".sha256");
        if (Boolean.getBoolean("twinbuild.golden.update")) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, sums.toString());
        }
        assertThat(sums.toString()).as("outputs of examples/%s.yaml (golden: %s)", example, golden)
                .isEqualTo(Files.readString(golden));
    }
}
