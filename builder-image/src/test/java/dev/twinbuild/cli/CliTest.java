package dev.twinbuild.cli;

import dev.twinbuild.testing.Commands;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI as a user runs it: the shaded jar in its own JVM, exit codes and output. */
class CliTest {
    static final Path JAR = Path.of(System.getProperty("twinbuild.jar", "target/twinbuild.jar"));
    static final Path EXAMPLES = Path.of(System.getProperty("twinbuild.examples", "../examples")).toAbsolutePath();

    @TempDir
    Path tmp;

    @BeforeAll
    static void jarExists() {
        assertThat(JAR).as("the shaded CLI is built before the tests (process-test-classes)").exists();
    }

    static Commands.Result twinbuild(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return Commands.run(dir, Map.of(), cmd);
    }

    @Test
    void buildPrintsSha256sumLinesThatCheck() throws IOException {
        Path out = tmp.resolve("out");
        Commands.Result r = twinbuild(tmp, "build", EXAMPLES.resolve("minimal.yaml").toString(), "--out", out.toString());
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo(Files.readString(EXAMPLES.resolve("golden/minimal.sha256")));
        Files.writeString(out.resolve("SHA256SUMS"), r.stdout());
        assertThat(Commands.run(out, "sha256sum", "-c", "SHA256SUMS").exit()).isZero();
        assertThat(out.resolve("build-record.json")).exists();
        assertThat(Files.readString(out.resolve("build-record.json"))).contains("\"specSha256\"");
    }

    @Test
    void verifyOfTheHelloExampleIsReproducible() throws IOException {
        Path out = tmp.resolve("out");
        Commands.Result r = twinbuild(tmp, "verify", EXAMPLES.resolve("hello.yaml").toString(), "--out", out.toString());
        assertThat(r.exit()).as(r.stdout() + r.stderr()).isZero();
        assertThat(r.stdout()).contains(Files.readString(EXAMPLES.resolve("golden/hello.sha256")))
                .contains("reproducible: 2 builds agree on 4 outputs")
                .contains("build 1: [environment, build_path, time, timezone, locales, umask");
        assertThat(out.resolve("hello.tar")).exists();
    }

    @Test
    void verifyNamesTheFileADateStepBreaksAndPassesOnceItIsEmptied() throws IOException {
        Path out = tmp.resolve("out");
        Commands.Result r = twinbuild(tmp, "verify", EXAMPLES.resolve("unreproducible.yaml").toString(),
                "--out", out.toString());
        assertThat(r.exit()).as(r.stdout() + r.stderr()).isEqualTo(1);
        assertThat(r.stdout()).contains("unreproducible: unreproducible.tar differs")
                .contains("./etc/build-date: content").doesNotContain("./etc/os-release");
        assertThat(out.resolve("diff-report.json")).exists();
        assertThat(out.resolve("build-0/unreproducible.tar")).exists();
        assertThat(out.resolve("build-1/unreproducible.tar")).exists();

        Path fixed = tmp.resolve("fixed.yaml");
        Files.writeString(fixed, Files.readString(EXAMPLES.resolve("unreproducible.yaml"))
                .replace("  outputs:", "  emptyFiles: [\"/etc/build-date\"]\n  outputs:"));
        Commands.Result ok = twinbuild(tmp, "verify", fixed.toString(), "--out", tmp.resolve("out2").toString());
        assertThat(ok.exit()).as(ok.stdout() + ok.stderr()).isZero();
        assertThat(ok.stdout()).contains("reproducible: 2 builds agree");
    }

    @Test
    void badInputExitsTwoNamingTheFieldAndWritesNothing() throws IOException {
        String manifest = Files.readString(EXAMPLES.resolve("hello.yaml"));
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, manifest.replaceFirst("sha256: \"[0-9a-f]{64}\"", "sha256: \"latest\""));
        Path out = tmp.resolve("out");
        Commands.Result r = twinbuild(tmp, "verify", bad.toString(), "--out", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).contains("spec.layers[0].tar.sha256").contains("64 lowercase hex");
        assertThat(out).doesNotExist();

        Files.writeString(bad, manifest.replace("sourceDateEpoch", "sourceDateEpok"));
        r = twinbuild(tmp, "build", bad.toString(), "--out", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).contains("spec.sourceDateEpok").contains("unknown field");
        assertThat(out).doesNotExist();

        r = twinbuild(tmp, "build", tmp.resolve("missing.yaml").toString(), "--out", out.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).contains("missing.yaml").contains("no such file");
    }

    @Test
    void mismatchingInputExitsTwoNamingTheDigest() throws IOException {
        Path dir = tmp.resolve("m");
        Files.createDirectories(dir);
        Files.copy(EXAMPLES.resolve("hello-rootfs.tar.gz"), dir.resolve("hello-rootfs.tar.gz"));
        Files.writeString(dir.resolve("hello-rootfs.tar.gz"), "tampered", java.nio.file.StandardOpenOption.APPEND);
        Files.copy(EXAMPLES.resolve("hello.yaml"), dir.resolve("hello.yaml"));
        Commands.Result r = twinbuild(dir, "build", "hello.yaml", "--out", "out");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).contains("spec.layers[0].tar.sha256: sha256 mismatch");
    }

    @Test
    void failingStepExitsThreeWithItsOutput() throws IOException {
        Path m = tmp.resolve("fail.yaml");
        Files.writeString(m, Files.readString(EXAMPLES.resolve("minimal.yaml"))
                .replace("run: echo \"built for $SOURCE_DATE_EPOCH\" > \"$ROOTFS/etc/motd\"",
                        "run: echo 'cannot do it' >&2; exit 7"));
        Commands.Result r = twinbuild(tmp, "build", m.toString(), "--out", "out");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.stderr()).contains("StepFailed").contains("step 'motd' exited 7").contains("cannot do it");
    }

    @Test
    void stepsCannotWriteOutsideTheRootfsAndScratch() throws IOException {
        Path victim = tmp.resolve("victim");
        Path m = tmp.resolve("escape.yaml");
        Files.writeString(m, Files.readString(EXAMPLES.resolve("minimal.yaml"))
                .replace("run: echo \"built for $SOURCE_DATE_EPOCH\" > \"$ROOTFS/etc/motd\"",
                        "run: echo pwned > " + victim));
        Commands.Result r = twinbuild(tmp, "build", m.toString(), "--out", "out");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.stderr()).containsAnyOf("Read-only file system", "Directory nonexistent");
        assertThat(victim).doesNotExist();
        Path outsideTmp = JAR.toAbsolutePath().getParent().resolve("victim-" + ProcessHandle.current().pid());
        Files.writeString(m, Files.readString(m).replace("> " + victim, "> " + outsideTmp));
        r = twinbuild(tmp, "build", m.toString(), "--out", "out");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(outsideTmp).doesNotExist();
    }

    @Test
    void diffComparesTwoArchives() throws IOException {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        assertThat(twinbuild(tmp, "build", EXAMPLES.resolve("minimal.yaml").toString(), "--out", a.toString()).exit())
                .isZero();
        Path m = tmp.resolve("changed.yaml");
        Files.writeString(m, Files.readString(EXAMPLES.resolve("minimal.yaml")).replace("content: \"minimal\\n\"",
                "content: \"changed\\n\""));
        assertThat(twinbuild(tmp, "build", m.toString(), "--out", b.toString()).exit()).isZero();
        Commands.Result r = twinbuild(tmp, "diff", a.resolve("minimal.tar").toString(), b.resolve("minimal.tar").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stdout()).contains("./etc/hostname: content").contains("\"minimal\" → \"changed\"");
        Commands.Result same = twinbuild(tmp, "diff", a.resolve("minimal.tar").toString(),
                a.resolve("minimal.tar").toString());
        assertThat(same.exit()).isZero();
        assertThat(same.stdout()).contains("identical");
    }
}
