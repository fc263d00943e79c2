package dev.twinbuild.operator.store;

import dev.twinbuild.cli.Main;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.pods.ManifestConfigMap;
import dev.twinbuild.operator.reconciler.BuildExit;
import dev.twinbuild.operator.reconciler.BuildTracker;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.PodView;
import dev.twinbuild.store.Stores;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.store.UploadGrants;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The builder pod's commands as the pod runs them (pod-build, then pod-upload with nothing but the mounted
 * grants file),
 * against s3proxy; then the operator's checks on what it reports and stored.
 */
class PodBuildWithGrantsTest {
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    @TempDir
    Path tmp;

    @Test
    void aPodBuildUploadsThroughItsGrantsOnlyAndTheOperatorAcceptsIt() throws Exception {
        SystemImageDocument doc = Manifests.read(Path.of("../examples/minimal.yaml"));
        SystemImage si = new SystemImage();
        si.setMetadata(new ObjectMetaBuilder().withName("minimal").withNamespace("team-a").build());
        si.setSpec(doc.spec);
        BuildLayout layout = BuildLayout.of(si, "0123456789", S3.store(), 1);
        UploadGrants grants = new GrantIssuer(S3.clients()).issue("team-a", layout, 64L << 20, Duration.ofMinutes(10),
                Instant.now());
        Path manifest = Files.writeString(tmp.resolve("systemimage.yaml"), ManifestConfigMap.manifest(si));
        Path grantsFile = Files.writeString(tmp.resolve(UploadGrants.FILE), grants.toJson());
        Path termination = tmp.resolve("termination-log");

        Path out = tmp.resolve("out");
        assertThat(Main.run("pod-build", "--manifest", manifest.toString(), "--work", tmp.resolve("work").toString(),
                "--out", out.toString(), "--termination-log", tmp.resolve("build-termination-log").toString())).isZero();
        int exit = Main.run("pod-upload", "--manifest", manifest.toString(), "--from", out.toString(),
                "--grants", grantsFile.toString(), "--termination-log", termination.toString());

        BuildSummary summary = BuildSummary.parse(Files.readString(termination));
        assertThat(exit).as(Files.readString(termination)).isZero();
        assertThat(summary.outputs()).extracting(BuildSummary.Output::location).containsExactly(
                "s3://artifacts/team-a/minimal/0123456789/b1/minimal.tar",
                "s3://artifacts/team-a/minimal/0123456789/b1/minimal.cpio.gz");
        assertThat(summary.record()).isEqualTo("s3://artifacts/team-a/minimal/0123456789/b1/build-record.json");

        assertThat(BuildExit.wrongLocations(summary, layout)).isNull();
        for (BuildSummary.Output o : summary.outputs()) { // what the operator reads back for each build
            assertThat(S3.access().verify(layout.outputs().get(o.file()), o.sha256(), o.size()).size())
                    .isEqualTo(o.size());
        }
    }

    /**
     * More outputs than a termination message can list (4096 bytes): the upload container stores its whole
     * summary, the operator reads that (bounded, at the key it computed) and accepts the build — it does not
     * fail it as SummaryTruncated, and it never reads the build's own record.
     */
    @Test
    void aSummaryTooLargeForTheTerminationMessageIsReadFromTheStore() throws Exception {
        SystemImageDocument doc = Manifests.read(Path.of("../examples/minimal.yaml"));
        doc.spec.outputs = new java.util.ArrayList<>();
        for (int i = 0; i < 24; i++) {
            dev.twinbuild.api.v1alpha1.Output o = new dev.twinbuild.api.v1alpha1.Output();
            o.format = dev.twinbuild.api.v1alpha1.OutputFormat.TAR;
            o.name = String.format("minimal-output-with-a-long-name-%02d.tar", i);
            doc.spec.outputs.add(o);
        }
        SystemImage si = new SystemImage();
        si.setMetadata(new ObjectMetaBuilder().withName("minimal").withNamespace("team-b").build());
        si.setSpec(doc.spec);
        BuildLayout layout = BuildLayout.of(si, "0123456789", S3.store(), 0);
        UploadGrants grants = new GrantIssuer(S3.clients()).issue("team-b", layout, 1L << 20, Duration.ofMinutes(10),
                Instant.now());
        Path manifest = Files.writeString(tmp.resolve("systemimage.yaml"), ManifestConfigMap.manifest(si));
        Path grantsFile = Files.writeString(tmp.resolve(UploadGrants.FILE), grants.toJson());
        Path termination = tmp.resolve("termination-log");
        Path out = tmp.resolve("out");
        assertThat(Main.run("pod-build", "--manifest", manifest.toString(), "--work", tmp.resolve("work").toString(),
                "--out", out.toString(), "--termination-log", tmp.resolve("build-termination-log").toString())).isZero();
        assertThat(Main.run("pod-upload", "--manifest", manifest.toString(), "--from", out.toString(),
                "--grants", grantsFile.toString(), "--termination-log", termination.toString())).isZero();

        String message = Files.readString(termination);
        assertThat(message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(BuildSummary.MAX_BYTES);
        assertThat(BuildSummary.parse(message).failure().reason()).isEqualTo(BuildSummary.TRUNCATED);

        StoreArtifactVerifier verifier = new StoreArtifactVerifier(S3.clients());
        BuildStatus b = new BuildStatus();
        b.index = 0;
        b.name = "b0";
        b.attempts = 1;
        b.podUid = "uid-1";
        b.phase = BuildPhase.Running;
        Instant t = Instant.now();
        PodView pod = new PodView("minimal-0123456789-b0", "uid-1", t, 1, "Succeeded", "node-a", t, false, null, null,
                new PodView.Terminated(0, "Completed", message, t, t), null);
        BuildTracker tracker = new BuildTracker(OperatorSettings.defaults(), 600, node -> null, 2,
                l -> verifier.storedSummary("team-b", l));
        BuildTracker.Step step = tracker.track(b, pod, layout, t);
        assertThat(step.status().phase).as("%s", step.status().failure).isEqualTo(BuildPhase.Succeeded);
        assertThat(step.status().outputs).hasSize(24).allSatisfy(o ->
                assertThat(S3.access().verify(layout.outputs().get(o.file), o.sha256, o.size).size())
                        .isEqualTo(o.size));
        assertThat(step.status().record).isEqualTo("s3://artifacts/team-b/minimal/0123456789/b0/build-record.json");

        // Bounded: a stored summary larger than the bound is refused unread, and the build fails with the reason.
        Path big = tmp.resolve("big.json");
        Files.write(big, new byte[Stores.MAX_SUMMARY_BYTES + 1]);
        S3.access().put(layout.summaryKey(), big, dev.twinbuild.store.Sha256.hex(big));
        b.phase = BuildPhase.Running;
        BuildTracker.Step refused = tracker.track(b, pod, layout, t);
        assertThat(refused.status().phase).isEqualTo(BuildPhase.Failed);
        assertThat(refused.status().failure.reason).isEqualTo(BuildTracker.INVALID_SUMMARY);
        assertThat(refused.status().failure.message).contains("larger than " + Stores.MAX_SUMMARY_BYTES);
    }
}
