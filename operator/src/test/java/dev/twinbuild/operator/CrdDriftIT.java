package dev.twinbuild.operator;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * crds/ is what users install; it must be exactly what the Java types generate. Refresh with
 * crds/update.sh (or -Dtwinbuild.crds.update=true on a verify run).
 */
class CrdDriftIT {
    static final String CRD = "systemimages.twinbuild.dev-v1.yml";

    @Test
    void committedCrdMatchesTheGeneratedOne() throws Exception {
        Path generated = Path.of(System.getProperty("twinbuild.generated.crds", "target/kubernetes")).resolve(CRD);
        Path committed = Path.of(System.getProperty("twinbuild.committed.crds", "../crds")).resolve(CRD);
        assertThat(generated).as("the build generates the CRD").exists();
        if (Boolean.getBoolean("twinbuild.crds.update")) {
            Files.createDirectories(committed.getParent());
            Files.copy(generated, committed, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        assertThat(committed).as("crds/%s is committed (run crds/update.sh)", CRD).exists();
        assertThat(Files.readString(committed))
                .as("crds/%s is stale: the Java types changed. Run crds/update.sh and commit the result.", CRD)
                .isEqualTo(Files.readString(generated));
    }
}
