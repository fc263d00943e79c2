package dev.twinbuild.store;

import dev.twinbuild.redaction.Redaction;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The builder pod's side of the S3 store: uploads through the presigned requests of its
 * {@link UploadGrants} only — it holds no credentials and cannot name a key. Files up to the part size
 * go in one PUT, larger ones as parts of the operator's multipart upload (the operator completes it).
 * Each request carries Content-MD5, so S3 refuses bytes damaged on the way; the operator reads every
 * object back and checks its SHA-256 before it counts.
 */
public class GrantUploader implements ArtifactStoreClient {
    /**
     * How long one request is retried while the store is down (connection refused, 5xx, 429): long enough
     * to ride out a store restart or a short outage, so that the image is not built again because of it.
     * The pod's own deadline (activeDeadlineSeconds) bounds it too.
     */
    public static final Duration RETRY_FOR = Duration.ofMinutes(5);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

    private final UploadGrants grants;
    private final HttpClient http;
    private final Duration backoff;
    private final Duration maxBackoff;
    private final Duration retryFor;
    private final Duration minTimeout;

    public GrantUploader(UploadGrants grants) {
        this(grants, Duration.ofSeconds(1), MAX_BACKOFF, RETRY_FOR);
    }

    /** @param backoff the first pause between attempts, doubling up to {@code maxBackoff}, for {@code retryFor} */
    public GrantUploader(UploadGrants grants, Duration backoff, Duration maxBackoff, Duration retryFor) {
        this(grants, backoff, maxBackoff, retryFor, Duration.ofMinutes(2));
    }

    GrantUploader(UploadGrants grants, Duration backoff, Duration maxBackoff, Duration retryFor, Duration minTimeout) {
        this.grants = grants;
        this.backoff = backoff;
        this.maxBackoff = maxBackoff;
        this.retryFor = retryFor;
        this.minTimeout = minTimeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String location(String name) {
        return grant(name).location();
    }

    @Override
    public StoredObject put(String name, Path file, String sha256) {
        UploadGrants.Grant g = grant(name);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new StoreException(StoreException.REJECTED, "cannot read " + file + ": " + e.getMessage());
        }
        UploadGrants.Multipart mp = g.multipart();
        if (mp == null || size <= mp.partSize()) {
            if (g.put() == null) {
                throw new StoreException(StoreException.REJECTED, name + ": no single-request grant");
            }
            send(name, g.put(), file, 0, size);
        } else {
            if (size > mp.maxSize()) {
                throw new StoreException(StoreException.REJECTED, name + " is " + size + " bytes, more than the "
                        + mp.maxSize() + " bytes granted (" + mp.parts().size() + " parts of " + mp.partSize() + ")");
            }
            int part = 0;
            for (long offset = 0; offset < size; offset += mp.partSize(), part++) {
                send(name + " part " + (part + 1), mp.parts().get(part), file, offset, Math.min(mp.partSize(), size - offset));
            }
        }
        return new StoredObject(g.location(), sha256, size);
    }

    private UploadGrants.Grant grant(String name) {
        UploadGrants.Grant g = grants.files().get(name);
        if (g == null) {
            throw new StoreException(StoreException.REJECTED, "no upload grant for " + name + " (granted: "
                    + grants.files().keySet() + ")");
        }
        return g;
    }

    /**
     * PUTs bytes [offset, offset+length) of the file, retrying connection failures, 5xx and 429 with jittered,
     * doubling backoff for {@link #retryFor}; any other answer is final.
     */
    private void send(String what, String url, Path file, long offset, long length) {
        String md5 = md5(file, offset, length);
        Duration timeout = minTimeout.plusSeconds(length / (1 << 20)); // at least 1 MiB/s
        String failure = null;
        long start = System.nanoTime();
        int attempt = 1;
        for (; ; attempt++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(timeout)
                    .header("Content-MD5", md5)
                    .PUT(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> slice(file, offset, length)), length))
                    .build();
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 == 2) {
                    return;
                }
                failure = "HTTP " + r.statusCode() + code(r.body());
                if (r.statusCode() / 100 != 5 && r.statusCode() != 429) {
                    throw new StoreException(StoreException.REJECTED,
                            "upload of " + what + " refused: " + failure);
                }
            } catch (IOException e) {
                failure = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(StoreException.UNREACHABLE, "interrupted uploading " + what);
            }
            long pause = pause(attempt);
            if (Duration.ofNanos(System.nanoTime() - start).plusMillis(pause).compareTo(retryFor) > 0) {
                break;
            }
            System.err.println(Redaction.redact("twinbuild: upload of " + what + ": attempt " + attempt + " failed (" + failure
                    + "), retrying in " + pause + " ms"));
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(StoreException.UNREACHABLE, "interrupted uploading " + what);
            }
        }
        throw new StoreException(StoreException.UNREACHABLE, Redaction.redact("upload of " + what + " failed after "
                + attempt + " attempts in " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s: "
                + failure));
    }

    /** Doubling from {@code backoff}, capped, with jitter (no lock-step retries of many pods). */
    private long pause(int attempt) {
        long cap = Math.min(backoff.toMillis() << Math.min(attempt - 1, 20), maxBackoff.toMillis());
        return ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
    }

    private static InputStream slice(Path file, long offset, long length) {
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
            ch.position(offset);
            return new BoundedInputStream(java.nio.channels.Channels.newInputStream(ch), length);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String md5(Path file, long offset, long length) {
        try (InputStream in = slice(file, offset, length)) {
            MessageDigest md = MessageDigest.getInstance("MD5");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new StoreException(StoreException.REJECTED, "cannot read " + file + ": " + e);
        }
    }

    private static String code(String body) {
        int i = body == null ? -1 : body.indexOf("<Code>");
        int j = i < 0 ? -1 : body.indexOf("</Code>", i);
        return j < 0 ? "" : " " + body.substring(i + 6, j);
    }

    /** At most {@code remaining} bytes of the underlying stream. */
    private static final class BoundedInputStream extends java.io.FilterInputStream {
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            super(in);
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
