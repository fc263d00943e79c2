package dev.twinbuild.packages;

import com.sun.net.httpserver.HttpServer;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.fetch.Fetcher;
import dev.twinbuild.pipeline.fetch.InputUnreachableException;
import dev.twinbuild.pipeline.fetch.Retry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A locked package comes from the mirror, or from the permanent fallback (snapshot.debian.org in a real lock)
 * when the mirror no longer has it or cannot be reached; wrong bytes are refused naming the package, without
 * trying the fallback. Two real HTTP servers on 127.0.0.1 stand in for the mirror and the snapshot archive.
 */
class PackageFetchTest {
    private static final String FIELD = "spec.layers[0]";
    private static final byte[] DEB = "!<arch>\nnot really a package, but bytes with a pinned SHA-256\n"
            .getBytes(StandardCharsets.UTF_8);
    private static final Retry FAST = new Retry(2, Duration.ofMillis(20), Duration.ofMillis(50));

    @TempDir
    Path tmp;
    private Server mirror;
    private Server snapshot;
    private Fetcher fetcher;

    /** Answers {@code status} for every path; with 200, {@code body}. Records what was asked. */
    private static final class Server {
        final HttpServer http;
        final List<String> requests = new CopyOnWriteArrayList<>();
        volatile int status = 200;
        volatile byte[] body = DEB;

        Server() throws IOException {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            http.createContext("/", ex -> {
                requests.add(ex.getRequestURI().getPath());
                if (status != 200) {
                    ex.sendResponseHeaders(status, -1);
                } else {
                    ex.sendResponseHeaders(200, body.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(body);
                    }
                }
                ex.close();
            });
            http.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + http.getAddress().getPort() + path;
        }
    }

    @BeforeEach
    void start() throws IOException {
        mirror = new Server();
        snapshot = new Server();
        fetcher = new Fetcher(Files.createDirectories(tmp.resolve("cache")), 1 << 20, FAST);
    }

    @AfterEach
    void stop() {
        mirror.http.stop(0);
        snapshot.http.stop(0);
    }

    private PackageLock.LockedPackage locked(String url) {
        return new PackageLock.LockedPackage("beta", "1.0", "amd64", "optional", DEB.length, Hashes.sha256(DEB), url,
                snapshot.url("/archive/debian/20260712T101637Z/pool/main/b/beta/beta_1.0_amd64.deb"));
    }

    @Test
    void theMirrorFirst() throws IOException {
        Path got = PackageFetch.fetch(fetcher, locked(mirror.url("/pool/main/b/beta/beta_1.0_amd64.deb")), FIELD);
        assertThat(Files.readAllBytes(got)).isEqualTo(DEB);
        assertThat(mirror.requests).hasSize(1);
        assertThat(snapshot.requests).isEmpty();
    }

    @Test
    void theSnapshotWhenTheMirrorNoLongerHasIt() throws IOException {
        mirror.status = 404;
        Path got = PackageFetch.fetch(fetcher, locked(mirror.url("/pool/main/b/beta/beta_1.0_amd64.deb")), FIELD);
        assertThat(Files.readAllBytes(got)).isEqualTo(DEB);
        assertThat(snapshot.requests).containsExactly("/archive/debian/20260712T101637Z/pool/main/b/beta/beta_1.0_amd64.deb");
    }

    @Test
    void theSnapshotWhenTheMirrorIsDownOrUnreachable() throws IOException {
        mirror.status = 503; // through every retry
        assertThat(Files.readAllBytes(PackageFetch.fetch(fetcher,
                locked(mirror.url("/pool/main/b/beta/beta_1.0_amd64.deb")), FIELD))).isEqualTo(DEB);
        assertThat(mirror.requests).hasSize(FAST.attempts());

        Fetcher fresh = new Fetcher(Files.createDirectories(tmp.resolve("cache2")), 1 << 20, FAST);
        assertThat(Files.readAllBytes(PackageFetch.fetch(fresh, locked("http://127.0.0.1:" + closedPort() + "/beta.deb"),
                FIELD))).isEqualTo(DEB);
        assertThat(snapshot.requests).hasSize(2);
    }

    @Test
    void wrongBytesAreRefusedNamingThePackageWithoutTryingTheFallback() {
        mirror.body = "another package's bytes\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> PackageFetch.fetch(fetcher, locked(mirror.url("/beta.deb")), FIELD))
                .isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.layers[0].packages[beta].sha256: locked package beta=1.0 (amd64): "
                        + "sha256 mismatch");
        assertThat(snapshot.requests).isEmpty();
    }

    @Test
    void bothGoneIsAnErrorNamingThePackageAndTheFallback() {
        mirror.status = 404;
        snapshot.status = 404;
        assertThatThrownBy(() -> PackageFetch.fetch(fetcher, locked(mirror.url("/beta.deb")), FIELD))
                .isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.layers[0].packages[beta] (fallback).url: locked package beta=1.0 (amd64)")
                .hasMessageContaining("answered HTTP 404");
        snapshot.status = 503;
        assertThatThrownBy(() -> PackageFetch.fetch(fetcher, locked(mirror.url("/beta.deb")), FIELD))
                .isInstanceOf(InputUnreachableException.class)
                .hasMessageStartingWith("spec.layers[0].packages[beta] (fallback).url");
    }

    /** A port nothing listens on: bound once by us, then closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
