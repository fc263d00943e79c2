package dev.twinbuild.pipeline.fetch;

import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * Fetches pinned inputs into a content-addressed cache ({@code sha256/<hex>}). Content is hashed while it
 * is copied, and only a verified copy is ever used, so a file that changes after the check cannot slip in.
 * {@link #open} reads a local file where it lies instead, hashed as it is consumed ({@link PinnedStream}).
 */
public final class Fetcher {
    private final Path cacheDir;
    private final HttpClient http;
    private final long maxBytes;

    public Fetcher(Path cacheDir, long maxBytes) {
        this.cacheDir = cacheDir;
        this.maxBytes = maxBytes;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    HttpClient http() {
        return http;
    }

    public Path cached(String sha256) {
        return cacheDir.resolve("sha256").resolve(sha256);
    }

    /**
     * @param url   http(s)://, file:// or a path (relative to {@code baseDir})
     * @param field the spec field named in errors, e.g. {@code spec.layers[0].tar}
     */
    public Path fetch(String url, String sha256, Path baseDir, String field) throws IOException {
        Path target = cached(sha256);
        if (Files.isRegularFile(target)) {
            return target;
        }
        if (url.startsWith("http://") || url.startsWith("https://")) {
            HttpResponse<InputStream> r = get(URI.create(url), Map.of(), field + ".url");
            if (r.statusCode() != 200) {
                r.body().close();
                throw new InputException(field + ".url", "GET " + url + " answered HTTP " + r.statusCode());
            }
            try (InputStream in = r.body()) {
                return store(in, sha256, field);
            }
        }
        Path local = local(url, baseDir, field);
        try (InputStream in = Files.newInputStream(local)) {
            return store(in, sha256, field);
        } catch (NoSuchFileException e) {
            throw new InputException(field + ".url", "no such file: " + local);
        }
    }

    /**
     * Opens a pinned input to be read once: a local file where it lies (hashed while it is read, not copied
     * into the cache first), anything else from the cache, fetching it first.
     */
    public PinnedStream open(String url, String sha256, Path baseDir, String field) throws IOException {
        Path target = cached(sha256);
        if (Files.isRegularFile(target) || url.startsWith("http://") || url.startsWith("https://")) {
            return PinnedStream.verified(fetch(url, sha256, baseDir, field));
        }
        Path local = local(url, baseDir, field);
        try {
            return new PinnedStream(local, sha256(), sha256, field, maxBytes);
        } catch (NoSuchFileException e) {
            throw new InputException(field + ".url", "no such file: " + local);
        }
    }

    private static Path local(String url, Path baseDir, String field) {
        Path local;
        if (url.startsWith("file://")) {
            local = Path.of(URI.create(url));
        } else if (url.contains("://")) {
            throw new InputException(field + ".url", "unsupported URL scheme in '" + url + "' (http, https, file)");
        } else if (baseDir == null) {
            throw new InputException(field + ".url", "a local path needs the CLI: use an http(s) URL");
        } else {
            local = baseDir.resolve(url);
        }
        return local;
    }

    HttpResponse<InputStream> get(URI uri, Map<String, String> headers, String field) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30)).GET();
        headers.forEach(b::header);
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new InputException(field, "cannot fetch " + uri + ": " + e, e);
        }
    }

    /** Copies {@code in} into the cache if and only if its sha256 is {@code sha256}. */
    Path store(InputStream in, String sha256, String field) throws IOException {
        Path dir = cacheDir.resolve("sha256");
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".partial-", "");
        try {
            MessageDigest md = sha256();
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), md)) {
                byte[] buf = new byte[1 << 16];
                long total = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    total += n;
                    if (total > maxBytes) {
                        throw new InputException(field, "input larger than " + maxBytes + " bytes");
                    }
                    out.write(buf, 0, n);
                }
            }
            String got = HexFormat.of().formatHex(md.digest());
            if (!got.equals(sha256)) {
                throw new InputException(field + ".sha256", "sha256 mismatch: expected " + sha256 + ", got " + got);
            }
            Path target = dir.resolve(sha256);
            // Verified content is readable by the other builds of a verification, whoever they run as.
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
