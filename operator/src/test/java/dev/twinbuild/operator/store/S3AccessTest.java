package dev.twinbuild.operator.store;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.store.GrantUploader;
import dev.twinbuild.store.Sha256;
import dev.twinbuild.store.StoreException;
import dev.twinbuild.store.UploadGrants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The operator's S3 access and the builder's grant uploads against s3proxy (a real S3 API). */
class S3AccessTest {
    private static final Instant NOW = Instant.now();
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    @TempDir
    Path tmp;

    private static GrantIssuer issuer() {
        return new GrantIssuer(S3.clients());
    }

    private static BuildLayout layout(String namespace, String name) {
        SystemImage si = Fixtures.systemImage(name, 2);
        si.getMetadata().setNamespace(namespace);
        return BuildLayout.of(si, "0123456789", S3.store(), 0);
    }

    private Path file(String name, int size, long seed) throws Exception {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return Files.write(tmp.resolve(name), data);
    }

    @Test
    void aGrantedPutLandsAtTheOperatorsKeyAndIsReadBack() throws Exception {
        BuildLayout layout = layout("team-a", "small");
        UploadGrants grants = issuer().issue("team-a", layout, 1 << 20, Duration.ofMinutes(5), NOW);
        Path f = file("small.tar", 4096, 1);

        var stored = new GrantUploader(grants).put("small.tar", f, Sha256.hex(f));

        assertThat(stored.location()).isEqualTo("s3://artifacts/team-a/small/0123456789/b0/small.tar");
        assertThat(grants.files()).containsOnlyKeys("small.tar", "small.tar.gz", "build-record.json",
                dev.twinbuild.store.Stores.SUMMARY_FILE);
        assertThat(grants.files().get("small.tar").multipart()).as("1 MiB work volume: one PUT suffices").isNull();
        assertThat(S3.access().verify(layout.outputs().get("small.tar"), Sha256.hex(f), 4096).size()).isEqualTo(4096);
        assertThatThrownBy(() -> S3.access().verify(layout.outputs().get("small.tar"), "0".repeat(64), 4096))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.DIGEST_MISMATCH));
        assertThatThrownBy(() -> S3.access().verify(layout.outputs().get("small.tar.gz"), Sha256.EMPTY, 0))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.NOT_FOUND));
    }

    @Test
    void aLargeOutputGoesUpInPartsThatTheOperatorCompletes() throws Exception {
        BuildLayout layout = layout("team-a", "large");
        // 5 MiB parts (the S3 minimum), a 16 MiB work volume: a multipart upload of 4 granted parts.
        UploadGrants grants = issuer().issue("team-a", layout, 16L << 20, Duration.ofMinutes(5), NOW);
        UploadGrants.Multipart mp = grants.files().get("large.tar").multipart();
        assertThat(mp.partSize()).isEqualTo(5L << 20);
        assertThat(mp.parts()).hasSize(4);
        Path f = file("large.tar", (11 << 20) + 123, 2); // three parts, the last one short
        String sha = Sha256.hex(f);

        new GrantUploader(grants).put("large.tar", f, sha);
        String key = layout.outputs().get("large.tar");
        assertThatThrownBy(() -> S3.access().verify(key, sha, Files.size(f)))
                .as("nothing is visible before the operator completes the upload")
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.NOT_FOUND));

        assertThat(S3.access().finishMultipartUpload(key, mp.uploadId())).isTrue();
        assertThat(S3.access().verify(key, sha, Files.size(f)).size()).isEqualTo(Files.size(f));
        // The tar.gz was never uploaded in parts: its upload is aborted, and finishing twice is harmless.
        String gz = layout.outputs().get("large.tar.gz");
        assertThat(S3.access().finishMultipartUpload(gz, grants.files().get("large.tar.gz").multipart().uploadId())).isFalse();
        assertThat(S3.access().finishMultipartUpload(key, mp.uploadId())).isFalse();
    }

    @Test
    void aFileLargerThanTheGrantIsRefusedByTheBuilder() throws Exception {
        BuildLayout layout = layout("team-a", "toolarge");
        UploadGrants grants = issuer().issue("team-a", layout, 6L << 20, Duration.ofMinutes(5), NOW);
        Path f = file("toolarge.tar", (10 << 20) + 1, 3);
        assertThatThrownBy(() -> new GrantUploader(grants).put("toolarge.tar", f, Sha256.hex(f)))
                .isInstanceOf(StoreException.class).hasMessageContaining("more than the");
    }

    @Test
    void aGrantCannotWriteAnyOtherKeyNorRead() throws Exception {
        BuildLayout mine = layout("team-a", "mine");
        UploadGrants grants = issuer().issue("team-a", mine, 1 << 20, Duration.ofMinutes(5), NOW);
        String put = grants.files().get("mine.tar").put();
        HttpClient http = HttpClient.newHttpClient();

        // The same signature on another namespace's key, or used to read: S3 refuses.
        String other = put.replace("/team-a/mine/", "/team-b/mine/");
        HttpResponse<String> write = http.send(HttpRequest.newBuilder(URI.create(other))
                .PUT(HttpRequest.BodyPublishers.ofString("forged")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(write.statusCode()).isEqualTo(403);
        HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(put)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(403);
        // And the builder's client will not even try a name it has no grant for.
        Path f = file("x", 10, 4);
        assertThatThrownBy(() -> new GrantUploader(grants).put("../team-b/x", f, Sha256.hex(f)))
                .hasMessageContaining("no upload grant");
    }

    @Test
    void anExpiredGrantIsRefused() throws Exception {
        BuildLayout layout = layout("team-a", "late");
        UploadGrants grants = issuer().issue("team-a", layout, 1 << 20, Duration.ofSeconds(1), NOW);
        Path f = file("late.tar", 10, 5);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThatThrownBy(() -> new GrantUploader(grants).put("late.tar", f, Sha256.hex(f)))
                        .isInstanceOfSatisfying(StoreException.class,
                                e -> assertThat(e.reason()).isEqualTo(StoreException.REJECTED)));
    }

    @Test
    void aStalledEndpointHitsItsDeadline() throws Exception {
        try (FlakyEndpoint stalled = new FlakyEndpoint(S3.endpoint(), 0, true);
             S3Access access = new S3Access(stalled.uri(), null, S3ProxyServer.BUCKET, S3ProxyServer.credentials(),
                     S3ProxyServer.settings().withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(1), 3))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> access.verify("any/key", Sha256.EMPTY, 0))
                    .isInstanceOfSatisfying(StoreException.class,
                            e -> assertThat(e.reason()).isEqualTo(StoreException.UNREACHABLE));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("deadline 3 s (read-back of 0 bytes)").isBetween(900L, 6_000L);
            assertThatThrownBy(() -> access.createMultipartUpload("any/key"))
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.isTransient()).isTrue());
            System.out.println("stalled endpoint: read-back gave up after " + ms + " ms");
        }
    }

    @Test
    void anOutageIsRetriedWithBackoff() throws Exception {
        BuildLayout layout = layout("team-a", "outage");
        Path f = file("outage.tar", 2048, 6);
        String sha = Sha256.hex(f);
        try (FlakyEndpoint flaky = new FlakyEndpoint(S3.endpoint(), 2, false);
             S3Access access = new S3Access(flaky.uri(), null, S3ProxyServer.BUCKET, S3ProxyServer.credentials(),
                     S3ProxyServer.settings())) {
            // The operator's own call: two 503s, then through (standard retries, jittered backoff).
            String uploadId = access.createMultipartUpload(layout.outputs().get("outage.tar"));
            assertThat(uploadId).isNotBlank();
            assertThat(flaky.connections.get()).isGreaterThanOrEqualTo(3);
            access.finishMultipartUpload(layout.outputs().get("outage.tar"), uploadId);
        }
        try (FlakyEndpoint flaky = new FlakyEndpoint(S3.endpoint(), 2, false);
             StoreClients viaFlaky = new StoreClients(null, storeAt(flaky.uri()), S3ProxyServer.settings(),
                     S3ProxyServer.credentials())) {
            // The builder's upload: also two 503s first.
            UploadGrants grants = new GrantIssuer(viaFlaky).issue("team-a", layoutAt(flaky.uri(), "outage"),
                    1 << 20, Duration.ofMinutes(5), NOW);
            new GrantUploader(grants).put("outage.tar", f, sha);
            assertThat(S3.access().verify(layout.outputs().get("outage.tar"), sha, 2048).sha256()).isEqualTo(sha);
        }
    }

    @Test
    void theBuildersUploadRidesOutAnOutageLongerThanAFewAttempts() throws Exception {
        Path f = file("long-outage.tar", 2048, 8);
        String sha = Sha256.hex(f);
        try (FlakyEndpoint flaky = new FlakyEndpoint(S3.endpoint(), 20, false);
             StoreClients viaFlaky = new StoreClients(null, storeAt(flaky.uri()), S3ProxyServer.settings(),
                     S3ProxyServer.credentials())) {
            UploadGrants grants = new GrantIssuer(viaFlaky).issue("team-a", layoutAt(flaky.uri(), "long-outage"),
                    1 << 20, Duration.ofMinutes(5), NOW);
            // 20 refusals in a row: retried for a time, not for a count (the e2e outage lasts 60 s).
            new GrantUploader(grants, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(30))
                    .put("long-outage.tar", f, sha);
            assertThat(flaky.connections.get()).isEqualTo(21);
            assertThat(S3.access().verify(layoutAt(S3.endpoint(), "long-outage").outputs().get("long-outage.tar"), sha,
                    2048).sha256()).isEqualTo(sha);
        }
        try (FlakyEndpoint down = new FlakyEndpoint(S3.endpoint(), Integer.MAX_VALUE, false);
             StoreClients viaDown = new StoreClients(null, storeAt(down.uri()), S3ProxyServer.settings(),
                     S3ProxyServer.credentials())) {
            UploadGrants grants = new GrantIssuer(viaDown).issue("team-a", layoutAt(down.uri(), "down"),
                    1 << 20, Duration.ofMinutes(5), NOW);
            // An outage that outlasts the budget ends as StoreUnreachable (the operator may retry the build).
            assertThatThrownBy(() -> new GrantUploader(grants, Duration.ofMillis(5), Duration.ofMillis(20),
                    Duration.ofMillis(300)).put("down.tar", f, sha))
                    .isInstanceOfSatisfying(StoreException.class,
                            e -> assertThat(e.reason()).isEqualTo(StoreException.UNREACHABLE))
                    .hasMessageContaining("HTTP 503");
        }
    }

    private static ArtifactStore storeAt(URI endpoint) {
        ArtifactStore store = S3.store();
        store.s3.endpoint = endpoint.toString();
        return store;
    }

    private static BuildLayout layoutAt(URI endpoint, String name) {
        SystemImage si = Fixtures.systemImage(name, 2);
        si.getMetadata().setNamespace("team-a");
        return BuildLayout.of(si, "0123456789", storeAt(endpoint), 0);
    }

    @Test
    void theOperatorsDiffReportsAreWrittenAndReadBack() throws Exception {
        Path f = file("report.txt", 100, 7);
        String sha = Sha256.hex(f);
        assertThat(S3.access().put("team-a/x/report/diff-report.txt", f, sha).location())
                .isEqualTo("s3://artifacts/team-a/x/report/diff-report.txt");
        try (InputStream in = S3.access().get("team-a/x/report/diff-report.txt")) {
            assertThat(Sha256.hex(in).sha256()).isEqualTo(sha);
        }
    }

    @Test
    void largeWorkVolumesGetLargerPartsSoThatTheGrantsStaySmall() {
        assertThat(GrantIssuer.partSize(512L << 20, 20L << 30, 200)).isEqualTo(512L << 20); // 40 parts
        assertThat(GrantIssuer.partSize(5L << 20, 20L << 30, 200)).isEqualTo(103L << 20); // 199 parts, whole MiB
        assertThat(GrantIssuer.partSize(5L << 20, 10L << 40, 4)).isEqualTo(5L << 30); // capped at S3's 5 GiB
    }
}
