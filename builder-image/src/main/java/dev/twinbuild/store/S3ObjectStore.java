package dev.twinbuild.store;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * An S3-compatible bucket, addressed path-style ({@code endpoint/bucket/key}) because MinIO, Ceph RGW,
 * s3proxy and AWS all accept it. Uploads send the payload's SHA-256 as {@code x-amz-content-sha256},
 * which S3 checks against the bytes it receives, and keep it as {@code x-amz-meta-sha256}.
 */
public class S3ObjectStore implements ArtifactStoreClient {
    static final String META_SHA256 = "x-amz-meta-sha256";
    private static final int ATTEMPTS = 3;

    private final URI endpoint;
    private final String bucket;
    private final SigV4Signer signer;
    private final HttpClient http;
    private final Clock clock;
    private final Duration backoff;

    public S3ObjectStore(URI endpoint, String bucket, String region, S3Credentials credentials) {
        this(endpoint, bucket, region, credentials, Clock.systemUTC(), Duration.ofSeconds(1));
    }

    S3ObjectStore(URI endpoint, String bucket, String region, S3Credentials credentials, Clock clock, Duration backoff) {
        String base = endpoint.toString();
        this.endpoint = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.bucket = bucket;
        this.signer = new SigV4Signer(credentials, region == null || region.isBlank() ? "us-east-1" : region);
        this.clock = clock;
        this.backoff = backoff;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    public String bucket() {
        return bucket;
    }

    @Override
    public String location(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /** Creates the bucket if it does not exist (for development setups and tests). */
    public void createBucket() {
        HttpResponse<String> r = send("PUT", "", Sha256.EMPTY, Map.of(), HttpRequest.BodyPublishers.noBody(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2 && r.statusCode() != 409) {
            throw failure(r.statusCode(), "create bucket " + bucket, r.body());
        }
    }

    @Override
    public StoredObject put(String key, Path file, String sha256) {
        HttpResponse<String> r = send("PUT", key, sha256, Map.of(META_SHA256, sha256), publisher(file),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw failure(r.statusCode(), "upload " + location(key), r.body());
        }
        // S3 has verified the payload hash; the size check catches a proxy that truncated silently.
        long size = size(file);
        Head head = head(key).orElseThrow(() -> new StoreException(StoreException.NOT_FOUND,
                location(key) + " is missing right after its upload"));
        if (head.size() != size) {
            throw new StoreException(StoreException.DIGEST_MISMATCH,
                    location(key) + " holds " + head.size() + " bytes, uploaded " + size);
        }
        return new StoredObject(location(key), sha256, size);
    }

    public Optional<Head> head(String key) {
        HttpResponse<Void> r = send("HEAD", key, Sha256.EMPTY, Map.of(), HttpRequest.BodyPublishers.noBody(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() / 100 != 2) {
            throw failure(r.statusCode(), "HEAD " + location(key), "");
        }
        long size = r.headers().firstValueAsLong("content-length").orElse(-1);
        return Optional.of(new Head(size, r.headers().firstValue(META_SHA256).orElse(null)));
    }

    public InputStream get(String key) throws FileNotFoundException {
        HttpResponse<InputStream> r = send("GET", key, Sha256.EMPTY, Map.of(), HttpRequest.BodyPublishers.noBody(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() == 404) {
            closeQuietly(r.body());
            throw new FileNotFoundException(location(key));
        }
        if (r.statusCode() / 100 != 2) {
            String body = readQuietly(r.body());
            throw failure(r.statusCode(), "GET " + location(key), body);
        }
        return r.body();
    }

    @Override
    public StoredObject verify(String location, String sha256) {
        String prefix = "s3://" + bucket + "/";
        if (!location.startsWith(prefix)) {
            throw new StoreException(StoreException.REJECTED, location + " is not in bucket " + bucket);
        }
        String key = location.substring(prefix.length());
        try (InputStream in = get(key)) {
            Sha256.Counted actual = Sha256.hex(in);
            if (!actual.sha256().equals(sha256)) {
                throw new StoreException(StoreException.DIGEST_MISMATCH,
                        location + " has sha256 " + actual.sha256() + ", expected " + sha256);
            }
            return new StoredObject(location, sha256, actual.size());
        } catch (FileNotFoundException e) {
            throw new StoreException(StoreException.NOT_FOUND, location + " does not exist");
        } catch (IOException e) {
            throw new StoreException(StoreException.UNREACHABLE, "reading " + location + ": " + e.getMessage(), e);
        }
    }

    /** Sends with bounded, backed-off retries on I/O errors and 5xx answers. */
    private <T> HttpResponse<T> send(String method, String key, String payloadSha256, Map<String, String> extra,
                                     HttpRequest.BodyPublisher body, HttpResponse.BodyHandler<T> handler) {
        URI uri = URI.create(endpoint + "/" + SigV4Signer.encodePath(bucket) + (key.isEmpty() ? "" : "/" + SigV4Signer.encodePath(key)));
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, body);
            signer.sign(method, uri, extra, payloadSha256, clock.instant()).forEach(b::header);
            if (!"PUT".equals(method)) {
                b.timeout(Duration.ofMinutes(2)); // uploads of big images may legitimately take longer
            }
            try {
                HttpResponse<T> r = http.send(b.build(), handler);
                if (r.statusCode() / 100 != 5 || attempt == ATTEMPTS) {
                    return r;
                }
                if (r.body() instanceof InputStream in) {
                    closeQuietly(in);
                }
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException(StoreException.UNREACHABLE, "interrupted talking to " + endpoint);
            }
            sleep(backoff.multipliedBy(1L << (attempt - 1)));
        }
        throw new StoreException(StoreException.UNREACHABLE, method + " " + uri + " failed after " + ATTEMPTS
                + " attempts: " + (last == null ? "server error" : last), last);
    }

    private StoreException failure(int status, String what, String body) {
        String code = between(body, "<Code>", "</Code>");
        String message = what + ": HTTP " + status + (code == null ? "" : " " + code);
        if (status == 404) {
            return new StoreException(StoreException.NOT_FOUND, message);
        }
        return new StoreException(status / 100 == 5 ? StoreException.UNREACHABLE : StoreException.REJECTED, message);
    }

    private static HttpRequest.BodyPublisher publisher(Path file) {
        try {
            return HttpRequest.BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            throw new StoreException(StoreException.REJECTED, "no such file to upload: " + file);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new StoreException(StoreException.REJECTED, "cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String between(String s, String open, String close) {
        int i = s == null ? -1 : s.indexOf(open);
        int j = i < 0 ? -1 : s.indexOf(close, i);
        return j < 0 ? null : s.substring(i + open.length(), j);
    }

    private static String readQuietly(InputStream in) {
        try (in) {
            return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to do: the response is abandoned anyway
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @param sha256 the digest the uploader recorded in the object's metadata, if any */
    public record Head(long size, String sha256) {
    }
}
