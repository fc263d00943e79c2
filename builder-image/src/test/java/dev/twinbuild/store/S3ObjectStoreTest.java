package dev.twinbuild.store;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against s3proxy, which checks our SigV4 signatures and the payload hashes we send. */
class S3ObjectStoreTest {
    static S3ProxyServer server;
    static S3ObjectStore store;

    @BeforeAll
    static void start() throws Exception {
        server = new S3ProxyServer();
        store = new S3ObjectStore(server.endpoint(), "artifacts", null,
                new S3Credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY, null));
        store.createBucket();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void putThenVerifyStreamsTheObjectBack(@TempDir Path dir) throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        Path file = Files.write(dir.resolve("image.tar"), data);
        String sha = Sha256.hex(file);

        StoredObject stored = store.put("ns/img/0123456789/b0/image name.tar", file, sha);

        assertThat(stored.location()).isEqualTo("s3://artifacts/ns/img/0123456789/b0/image name.tar");
        assertThat(stored.size()).isEqualTo(data.length);
        assertThat(store.verify(stored.location(), sha).size()).isEqualTo(data.length);
        assertThat(store.head("ns/img/0123456789/b0/image name.tar")).get()
                .extracting(S3ObjectStore.Head::sha256).isEqualTo(sha);
        try (InputStream in = store.get("ns/img/0123456789/b0/image name.tar")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void aWrongDigestIsReported(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "twinbuild");
        StoredObject stored = store.put("wrong/a.txt", file, Sha256.hex(file));

        assertThatThrownBy(() -> store.verify(stored.location(), "0".repeat(64)))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.DIGEST_MISMATCH));
    }

    @Test
    void theServerRefusesAPayloadThatDoesNotMatchItsDeclaredHash(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "twinbuild");
        assertThatThrownBy(() -> store.put("lie/a.txt", file, Sha256.hex(new byte[]{1})))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.REJECTED));
    }

    @Test
    void missingObjectsAndBadCredentialsAreNamed() {
        assertThat(store.head("nope")).isEmpty();
        assertThatThrownBy(() -> store.verify("s3://artifacts/nope", Sha256.EMPTY))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.NOT_FOUND));

        S3ObjectStore intruder = new S3ObjectStore(server.endpoint(), "artifacts", null,
                new S3Credentials(S3ProxyServer.ACCESS_KEY, "wrong", null));
        assertThatThrownBy(() -> intruder.head("x"))
                .isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.REJECTED));
    }

    @Test
    void anUnreachableEndpointGivesUpAfterBoundedRetries() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        S3ObjectStore down = new S3ObjectStore(URI.create("http://127.0.0.1:" + port), "b", null,
                new S3Credentials("a", "b", null), Clock.systemUTC(), Duration.ofMillis(5));
        assertThatThrownBy(() -> down.head("k"))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.reason()).isEqualTo(StoreException.UNREACHABLE);
                    assertThat(e.isTransient()).isTrue();
                    assertThat(e.getMessage()).contains("after 3 attempts");
                });
    }
}
