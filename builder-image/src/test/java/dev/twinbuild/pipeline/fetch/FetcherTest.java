package dev.twinbuild.pipeline.fetch;

import com.sun.net.httpserver.HttpServer;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.InputException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fetch stage against real files and a real HTTP server on 127.0.0.1. */
class FetcherTest {
    private static final String FIELD = "spec.layers[0].tar";

    @TempDir
    Path tmp;

    private Path cache;
    private Path base;
    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    /** Statuses answered, in order, before the content is served: a flaky or overloaded server. */
    private final Map<String, java.util.Deque<Integer>> faults = new ConcurrentHashMap<>();
    private final List<String> authorization = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final Retry FAST = new Retry(4, java.time.Duration.ofMillis(50), java.time.Duration.ofSeconds(2));

    @BeforeEach
    void start() throws IOException {
        cache = Files.createDirectories(tmp.resolve("cache"));
        base = Files.createDirectories(tmp.resolve("manifests"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
            authorization.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            Integer fault = faults.getOrDefault(path, new java.util.ArrayDeque<>()).poll();
            byte[] body = served.get(path);
            if (fault != null) {
                if (fault == 429) {
                    ex.getResponseHeaders().add("Retry-After", "1");
                }
                ex.sendResponseHeaders(fault, -1);
            } else if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Every regular file under the cache, whatever its name (partial downloads included). */
    private List<Path> cacheFiles() throws IOException {
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void localPathIsResolvedAgainstTheManifestDirectoryAndCachedByDigest() throws IOException {
        byte[] content = randomBytes(200_000, 1);
        Files.createDirectories(base.resolve("inputs"));
        Files.write(base.resolve("inputs/rootfs.tar"), content);
        String sha = Hashes.sha256(content);

        Path got = new Fetcher(cache, 1 << 30).fetch("inputs/rootfs.tar", sha, base, FIELD);

        assertThat(got).isEqualTo(cache.resolve("sha256").resolve(sha));
        assertThat(Files.readAllBytes(got)).isEqualTo(content);
        assertThat(cacheFiles()).containsExactly(got);
    }

    @Test
    void openReadsALocalFileOnceWhereItLiesAndChecksThePinAfterwards() throws IOException {
        byte[] content = randomBytes(300_000, 7);
        Files.write(base.resolve("layer.tar"), content);
        String sha = Hashes.sha256(content);
        Fetcher f = new Fetcher(cache, 1 << 30);

        try (PinnedStream in = f.open("layer.tar", sha, base, FIELD)) {
            // The consumer stops early (as a tar reader does before the trailing blocks): the rest is hashed.
            in.verifying(() -> assertThat(in.readNBytes(1000)).hasSize(1000));
        }
        assertThat(cacheFiles()).as("no copy of a local input").isEmpty();

        String wrong = Hashes.sha256("other".getBytes(StandardCharsets.UTF_8));
        try (PinnedStream in = f.open("layer.tar", wrong, base, FIELD)) {
            // A mismatch explains whatever the consumer then failed on, so it is what is reported.
            assertThatThrownBy(() -> in.verifying(() -> {
                in.readNBytes(10);
                throw new InputException("spec.layers[0] entry 'x'", "malformed archive");
            })).isInstanceOfSatisfying(InputException.class, e -> {
                assertThat(e.field()).isEqualTo(FIELD + ".sha256");
                assertThat(e.getMessage()).contains("mismatch").contains(sha);
            });
        }
        try (PinnedStream in = f.open("layer.tar", sha, base, FIELD)) {
            // The pin holds, so the consumer's own error stands.
            assertThatThrownBy(() -> in.verifying(() -> {
                throw new InputException("spec.layers[0] entry 'x'", "malformed archive");
            })).hasMessageContaining("malformed archive");
        }
        assertThatThrownBy(() -> new Fetcher(cache, 100_000).open("layer.tar", sha, base, FIELD)
                .verifying(() -> { })).isInstanceOf(InputException.class).hasMessageContaining("larger than");
        assertThatThrownBy(() -> f.open("missing.tar", sha, base, FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> assertThat(e.field()).isEqualTo(FIELD + ".url"));
    }

    @Test
    void localPathIsNotResolvedAgainstTheWorkingDirectory() throws IOException {
        // Same relative name exists nowhere under base: the error names the field and the resolved file.
        String sha = Hashes.sha256("x".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new Fetcher(cache, 1 << 20).fetch("missing.tar", sha, base, FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.field()).isEqualTo(FIELD + ".url");
                    assertThat(e.getMessage()).contains(base.resolve("missing.tar").toString());
                });
        assertThatThrownBy(() -> new Fetcher(cache, 1 << 20).fetch("missing.tar", sha, null, FIELD))
                .isInstanceOfSatisfying(InputException.class,
                        e -> assertThat(e.field()).isEqualTo(FIELD + ".url"));
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void fileUrlIsRead() throws IOException {
        byte[] content = "file url content\n".getBytes(StandardCharsets.UTF_8);
        Path f = Files.write(tmp.resolve("elsewhere.bin"), content);
        String sha = Hashes.sha256(content);

        Path got = new Fetcher(cache, 1 << 20).fetch(f.toUri().toString(), sha, base, FIELD);

        assertThat(Files.readAllBytes(got)).isEqualTo(content);
    }

    @Test
    void httpFromARealServerThenFromTheCache() throws IOException {
        byte[] content = randomBytes(3 * 65536 + 17, 2);
        served.put("/rootfs.tar.gz", content);
        String sha = Hashes.sha256(content);

        Path first = new Fetcher(cache, 1 << 30).fetch(url("/rootfs.tar.gz"), sha, base, FIELD);
        assertThat(Files.readAllBytes(first)).isEqualTo(content);
        assertThat(hits.get("/rootfs.tar.gz")).hasValue(1);

        // A new fetcher on the same cache (another build of a verification) does not ask the server again.
        Path second = new Fetcher(cache, 1 << 30).fetch(url("/rootfs.tar.gz"), sha, base, FIELD);
        assertThat(second).isEqualTo(first);
        assertThat(hits.get("/rootfs.tar.gz")).hasValue(1);
        // Content-addressed: even if the server has gone, the pinned digest is served from the cache.
        server.stop(0);
        Path third = new Fetcher(cache, 1 << 30).fetch(url("/rootfs.tar.gz"), sha, base, FIELD);
        assertThat(Files.readAllBytes(third)).isEqualTo(content);
        assertThat(cacheFiles()).containsExactly(first);
    }

    @Test
    void sha256MismatchOverHttpIsRefusedNamingBothDigestsAndLeavesNothingInTheCache() throws IOException {
        byte[] content = randomBytes(300_000, 3);
        served.put("/tampered.tar", content);
        String actual = Hashes.sha256(content);
        String pinned = Hashes.sha256("what the author pinned".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> new Fetcher(cache, 1 << 30).fetch(url("/tampered.tar"), pinned, base, FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.field()).endsWith(".sha256").isEqualTo(FIELD + ".sha256");
                    assertThat(e.getMessage()).contains(pinned).contains(actual);
                });
        assertThat(cacheFiles()).isEmpty();
        assertThat(cache.resolve("sha256").resolve(pinned)).doesNotExist();
        assertThat(cache.resolve("sha256").resolve(actual)).doesNotExist();
    }

    @Test
    void sha256MismatchOfALocalFileIsRefusedToo() throws IOException {
        Files.writeString(base.resolve("in.tar"), "changed after pinning");
        String pinned = Hashes.sha256("original".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> new Fetcher(cache, 1 << 20).fetch("in.tar", pinned, base, FIELD))
                .isInstanceOfSatisfying(InputException.class,
                        e -> assertThat(e.field()).isEqualTo(FIELD + ".sha256"));
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void http404IsAnInputErrorNamingTheUrlField() throws IOException {
        String sha = Hashes.sha256("x".getBytes(StandardCharsets.UTF_8));
        String u = url("/nope.tar");

        assertThatThrownBy(() -> new Fetcher(cache, 1 << 20).fetch(u, sha, base, FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.field()).isEqualTo(FIELD + ".url");
                    assertThat(e.getMessage()).contains("404").contains(u);
                });
        assertThat(hits.get("/nope.tar")).hasValue(1);
        assertThat(cacheFiles()).isEmpty();
    }

    @Test
    void connectionRefusedIsUnreachableAfterTheRetriesNeverBadInput() throws IOException {
        String u = url("/x.tar");
        server.stop(0);
        String sha = Hashes.sha256("x".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> new Fetcher(cache, 1 << 20, FAST).fetch(u, sha, base, FIELD))
                .isNotInstanceOf(InputException.class)
                .isInstanceOfSatisfying(InputUnreachableException.class, e -> {
                    assertThat(e.field()).isEqualTo(FIELD + ".url");
                    assertThat(e.reason()).isEqualTo("InputUnreachable");
                    assertThat(e.getMessage()).contains(u, "failed 4 time(s)", "ConnectException");
                });
    }

    @Test
    void serverErrorsAndTooManyRequestsAreRetriedHonouringRetryAfter() throws IOException {
        byte[] content = randomBytes(10_000, 7);
        served.put("/flaky.tar", content);
        faults.put("/flaky.tar", new java.util.ArrayDeque<>(List.of(503, 429, 502)));
        long t0 = System.nanoTime();

        Path got = new Fetcher(cache, 1 << 20, FAST).fetch(url("/flaky.tar"), Hashes.sha256(content), base, FIELD);

        assertThat(Files.readAllBytes(got)).isEqualTo(content);
        assertThat(hits.get("/flaky.tar")).hasValue(4);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).as("Retry-After: 1 honoured")
                .isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(1));
    }

    @Test
    void anOutageLongerThanTheRetriesIsUnreachable() throws IOException {
        served.put("/down.tar", new byte[]{1});
        faults.put("/down.tar", new java.util.ArrayDeque<>(List.of(503, 503, 503, 503, 503)));
        assertThatThrownBy(() -> new Fetcher(cache, 1 << 20, FAST).fetch(url("/down.tar"), "0".repeat(64), base, FIELD))
                .isInstanceOfSatisfying(InputUnreachableException.class,
                        e -> assertThat(e.getMessage()).contains("HTTP 503", "failed 4 time(s)"));
        assertThat(hits.get("/down.tar")).hasValue(4);
    }

    @Test
    void forbiddenIsPermanentAndTheUrlIsNamedWithoutItsCredentials() throws IOException {
        faults.put("/private.tar", new java.util.ArrayDeque<>(List.of(401)));
        String u = url("/private.tar").replace("http://", "http://alice:hunter2@") + "?X-Amz-Signature=abc";
        assertThatThrownBy(() -> new Fetcher(cache, 1 << 20, FAST).fetch(u, "0".repeat(64), base, FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.field()).isEqualTo(FIELD + ".url");
                    assertThat(e.getMessage()).contains("HTTP 401", url("/private.tar") + "?…")
                            .doesNotContain("alice", "hunter2", "abc");
                });
        assertThat(hits.get("/private.tar")).as("not retried").hasValue(1);
        assertThat(authorization).containsExactly("Basic " + java.util.Base64.getEncoder()
                .encodeToString("alice:hunter2".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void inputLargerThanMaxBytesIsRefusedEvenWhenTheDigestIsRight() throws IOException {
        byte[] content = randomBytes(200_000, 4);
        served.put("/big.tar", content);
        Files.write(base.resolve("big.tar"), content);
        String sha = Hashes.sha256(content);

        assertThatThrownBy(() -> new Fetcher(cache, 100_000).fetch(url("/big.tar"), sha, base, FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> {
                    assertThat(e.field()).startsWith(FIELD);
                    assertThat(e.getMessage()).contains("larger than 100000");
                });
        assertThatThrownBy(() -> new Fetcher(cache, 100_000).fetch("big.tar", sha, base, FIELD))
                .isInstanceOf(InputException.class).hasMessageContaining("larger than");
        assertThat(cacheFiles()).isEmpty();

        // Exactly at the limit is fine.
        Path ok = new Fetcher(cache, content.length).fetch("big.tar", sha, base, FIELD);
        assertThat(Files.readAllBytes(ok)).isEqualTo(content);
    }

    @Test
    void unsupportedSchemesAreRefusedNamingTheUrlField() throws IOException {
        String sha = Hashes.sha256("x".getBytes(StandardCharsets.UTF_8));
        for (String u : List.of("ftp://127.0.0.1/x.tar", "s3://bucket/x.tar", "gopher://x/y")) {
            assertThatThrownBy(() -> new Fetcher(cache, 1 << 20).fetch(u, sha, base, FIELD))
                    .isInstanceOfSatisfying(InputException.class, e -> {
                        assertThat(e.field()).isEqualTo(FIELD + ".url");
                        assertThat(e.getMessage()).contains("unsupported").contains(u);
                    });
        }
        assertThat(cacheFiles()).isEmpty();
    }
}
