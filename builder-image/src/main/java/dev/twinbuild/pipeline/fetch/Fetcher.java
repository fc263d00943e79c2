package dev.twinbuild.pipeline.fetch;

import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/**
 * Fetches pinned inputs into a content-addressed cache ({@code sha256/<hex>}). Content is hashed while it
 * is copied, and only a verified copy is ever used, so a file that changes after the check cannot slip in.
 * {@link #open} reads a local file where it lies instead, hashed as it is consumed ({@link PinnedStream}).
 */
public final class Fetcher {
    private final Path cacheDir;
    private final HttpGet http;
    private final long maxBytes;

    public Fetcher(Path cacheDir, long maxBytes) {
        this(cacheDir, maxBytes, Retry.DEFAULT);
    }

    public Fetcher(Path cacheDir, long maxBytes, Retry retry) {
        this.cacheDir = cacheDir;
        this.maxBytes = maxBytes;
        this.http = new HttpGet(retry);
    }

    HttpGet http() {
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
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new InputException(field + ".url", "not a valid URL: " + Redaction.url(url));
            }
            Map<String, String> headers = new java.util.HashMap<>();
            if (uri.getRawUserInfo() != null) {
                // user:password@ in the URL: sent as Basic, never echoed in messages.
                headers.put("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        java.net.URLDecoder.decode(uri.getRawUserInfo(), java.nio.charset.StandardCharsets.UTF_8)
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                uri = URI.create(uri.getScheme() + "://" + uri.getRawAuthority().substring(
                        uri.getRawAuthority().indexOf('@') + 1) + uri.getRawPath()
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            }
            HttpGet.Result<Path> r = http.get(uri, headers, field + ".url", in -> store(in, sha256, field));
            if (r.refused() != null) {
                // 4xx other than 408/429: the URL is wrong or not ours to read; retrying will not change that.
                throw new InputException(field + ".url", "GET " + Redaction.url(url) + " answered HTTP "
                        + r.refused().status());
            }
            return r.value();
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
            throw new InputException(field + ".url", "unsupported URL scheme in '" + Redaction.url(url)
                    + "' (http, https, file)");
        } else if (baseDir == null) {
            throw new InputException(field + ".url", "a local path needs the CLI: use an http(s) URL");
        } else {
            local = baseDir.resolve(url);
        }
        return local;
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
