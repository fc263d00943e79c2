package dev.twinbuild.handoff;

import dev.twinbuild.cli.Main;
import dev.twinbuild.store.BuildSummary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two containers of a builder pod, as the pod runs them: pod-build leaves its outputs in a shared
 * directory, pod-upload re-hashes them and stores them (here the PVC store, a real directory). Whatever a
 * build step did to the shared directory afterwards is caught, not stored under the build's digest.
 */
class PodBuildUploadTest {
    private static final String MANIFEST = """
            apiVersion: twinbuild.dev/v1alpha1
            kind: SystemImage
            metadata:
              name: handoff
            spec:
              sourceDateEpoch: 1700000000
              layers:
                - files:
                    - path: /etc/os-release
                      content: "ID=handoff\\n"
              outputs:
                - format: tar
                - format: cpio.gz
            """;

    @TempDir
    Path tmp;
    Path manifest;
    Path out;
    Path store;

    @BeforeEach
    void build() throws Exception {
        manifest = Files.writeString(tmp.resolve("systemimage.yaml"), MANIFEST);
        out = tmp.resolve("out");
        store = Files.createDirectories(tmp.resolve("store"));
        int exit = Main.run("pod-build", "--manifest", manifest.toString(), "--work", tmp.resolve("work").toString(),
                "--out", out.toString(), "--termination-log", tmp.resolve("build-termination").toString());
        assertThat(exit).as(Files.readString(tmp.resolve("build-termination"))).isZero();
        assertThat(out.resolve(Handoff.FILE)).exists();
    }

    private int upload() {
        return Main.run("pod-upload", "--manifest", manifest.toString(), "--from", out.toString(),
                "--pvc-claim", "artifacts", "--pvc-mount", store.toString(), "--store-prefix", "ns/handoff/abc/b0",
                "--termination-log", tmp.resolve("upload-termination").toString());
    }

    private BuildSummary uploadSummary() throws Exception {
        return BuildSummary.parse(Files.readString(tmp.resolve("upload-termination")));
    }

    @Test
    void uploadsWhatTheBuildHandedOverAtTheOperatorsKeys() throws Exception {
        assertThat(upload()).isZero();

        BuildSummary s = uploadSummary();
        assertThat(s.outputs()).extracting(BuildSummary.Output::location).containsExactly(
                "pvc://artifacts/ns/handoff/abc/b0/handoff.tar", "pvc://artifacts/ns/handoff/abc/b0/handoff.cpio.gz");
        assertThat(s.record()).isEqualTo("pvc://artifacts/ns/handoff/abc/b0/build-record.json");
        assertThat(store.resolve("ns/handoff/abc/b0/handoff.tar")).hasSameBinaryContentAs(out.resolve("handoff.tar"));
    }

    @Test
    void aFileChangedAfterTheBuildIsNotUploadedAsTheClaimedDigest() throws Exception {
        Files.writeString(out.resolve("handoff.cpio.gz"), "late write by a step's background process",
                StandardOpenOption.APPEND);

        assertThat(upload()).isEqualTo(Main.FAILED);

        BuildSummary s = uploadSummary();
        assertThat(s.failure().reason()).isEqualTo(HandoffUploader.TAMPERED);
        assertThat(s.failure().message()).contains("handoff.cpio.gz changed after the build");
        assertThat(store).isEmptyDirectory(); // checked before the first upload: nothing of it is stored
    }

    @Test
    void aSymlinkInPlaceOfAnOutputIsNotFollowed() throws Exception {
        Path secret = Files.writeString(tmp.resolve("grants.json"), "presigned URLs");
        Files.delete(out.resolve("handoff.tar"));
        Files.createSymbolicLink(out.resolve("handoff.tar"), secret);

        assertThat(upload()).isEqualTo(Main.FAILED);

        assertThat(uploadSummary().failure().reason()).isEqualTo(HandoffUploader.TAMPERED);
        assertThat(uploadSummary().failure().message()).contains("not a regular file");
        assertThat(store).isEmptyDirectory();
    }

    @Test
    void aHandoffNamingOtherFilesIsRefused() throws Exception {
        String h = Files.readString(out.resolve(Handoff.FILE));
        Files.writeString(out.resolve(Handoff.FILE), h.replace("\"handoff.tar\"", "\"../escape.tar\""));

        assertThat(upload()).isEqualTo(Main.FAILED);

        assertThat(uploadSummary().failure().reason()).isEqualTo(Handoff.INVALID);
        assertThat(uploadSummary().failure().message()).contains("../escape.tar");
        assertThat(store).isEmptyDirectory();
    }
}
