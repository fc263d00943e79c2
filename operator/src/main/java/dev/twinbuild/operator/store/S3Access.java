package dev.twinbuild.operator.store;

import dev.twinbuild.redaction.Redaction;
import dev.twinbuild.store.Sha256;
import dev.twinbuild.store.StoreException;
import dev.twinbuild.store.StoredObject;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One bucket through the AWS SDK: presigned grants for builder pods, completion of their multipart
 * uploads, read-back checks and the operator's own small writes (diff reports). Every call has a
 * deadline (per attempt and overall) and is retried with jittered backoff; checksums are sent and
 * checked only when S3 requires them, which keeps S3-compatible servers working.
 */
public final class S3Access implements AutoCloseable {
    private final String bucket;
    private final S3Settings settings;
    private final S3Client s3;
    private final S3Presigner presigner;

    public S3Access(URI endpoint, String region, String bucket, AwsCredentialsProvider credentials, S3Settings settings) {
        this.bucket = bucket;
        this.settings = settings;
        Region r = Region.of(region == null || region.isBlank() ? "us-east-1" : region);
        S3Configuration conf = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
        var builder = S3Client.builder()
                .region(r)
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(settings.attemptTimeout()))
                .overrideConfiguration(o -> o
                        .apiCallTimeout(settings.apiCallTimeout())
                        .apiCallAttemptTimeout(settings.attemptTimeout())
                        // exponential backoff with full jitter between attempts
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(settings.maxAttempts()).build()));
        var presign = S3Presigner.builder().region(r).credentialsProvider(credentials).serviceConfiguration(conf);
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
            presign.endpointOverride(endpoint);
        }
        this.s3 = builder.build();
        this.presigner = presign.build();
    }

    public String bucket() {
        return bucket;
    }

    public String location(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /** A URL that lets its holder PUT one object at {@code key} until it expires, and nothing else. */
    public String presignPut(String key, Duration ttl) {
        return presigner.presignPutObject(p -> p.signatureDuration(ttl)
                .putObjectRequest(r -> r.bucket(bucket).key(key))).url().toString();
    }

    /** A URL that lets its holder GET one object until it expires (check pods read outputs back with it). */
    public String presignGet(String key, Duration ttl) {
        return presigner.presignGetObject(p -> p.signatureDuration(ttl)
                .getObjectRequest(r -> r.bucket(bucket).key(key))).url().toString();
    }

    public String createMultipartUpload(String key) {
        return call("start a multipart upload of " + location(key),
                () -> s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId());
    }

    /** URLs for parts 1..count of one multipart upload: they can add parts to it, not complete it. */
    public List<String> presignParts(String key, String uploadId, int count, Duration ttl) {
        List<String> urls = new ArrayList<>(count);
        for (int n = 1; n <= count; n++) {
            int part = n;
            urls.add(presigner.presignUploadPart(p -> p.signatureDuration(ttl).uploadPartRequest(
                    r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(part))).url().toString());
        }
        return urls;
    }

    /**
     * Completes the upload with the parts S3 lists for it (numbered 1..n without gaps), or aborts it when
     * it has none. An upload that is already gone (completed or aborted before) is left alone.
     *
     * @return true when the object was assembled from parts
     */
    public boolean finishMultipartUpload(String key, String uploadId) {
        List<Part> parts;
        try {
            parts = call("list the parts of " + location(key), () -> s3.listPartsPaginator(
                    r -> r.bucket(bucket).key(key).uploadId(uploadId)).parts().stream()
                    .sorted(Comparator.comparing(Part::partNumber)).toList());
        } catch (StoreException e) {
            if (e.getCause() instanceof NoSuchUploadException) {
                return false;
            }
            throw e;
        }
        if (parts.isEmpty()) {
            abort(key, uploadId);
            return false;
        }
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i).partNumber() != i + 1) {
                abort(key, uploadId);
                throw new StoreException(StoreException.REJECTED, location(key) + ": part " + (i + 1)
                        + " is missing from the multipart upload");
            }
        }
        List<CompletedPart> completed = parts.stream()
                .map(p -> CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).build()).toList();
        call("complete the multipart upload of " + location(key), () -> s3.completeMultipartUpload(r -> r
                .bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(completed))));
        return true;
    }

    private void abort(String key, String uploadId) {
        try {
            call("abort the multipart upload of " + location(key),
                    () -> s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)));
        } catch (StoreException e) {
            if (!(e.getCause() instanceof NoSuchUploadException)) {
                throw e;
            }
        }
    }

    /**
     * Reads the object back and checks its SHA-256 (and size, when known: not negative); the deadline
     * grows with the size, so a slow or stalled endpoint still ends the call.
     */
    public StoredObject verify(String key, String sha256, long size) {
        Duration deadline = settings.readTimeout(Math.max(size, 0));
        Sha256.Counted actual = call("read back " + location(key), () -> s3.getObject(r -> r.bucket(bucket).key(key)
                        .overrideConfiguration(o -> o.apiCallTimeout(deadline).apiCallAttemptTimeout(deadline)),
                (ResponseTransformer<GetObjectResponse, Sha256.Counted>) (response, in) -> Sha256.hex(in)));
        if (!actual.sha256().equals(sha256)) {
            throw new StoreException(StoreException.DIGEST_MISMATCH,
                    location(key) + " has sha256 " + actual.sha256() + ", expected " + sha256);
        }
        if (size >= 0 && actual.size() != size) {
            throw new StoreException(StoreException.DIGEST_MISMATCH,
                    location(key) + " holds " + actual.size() + " bytes, the build reported " + size);
        }
        return new StoredObject(location(key), sha256, actual.size());
    }

    /**
     * A small object whole, read with a deadline; one larger than {@code max} bytes is refused, read no
     * further than that (a Range request).
     */
    public byte[] readSmall(String key, int max) {
        Duration deadline = settings.readTimeout(max);
        byte[] bytes = call("read " + location(key), () -> s3.getObject(r -> r.bucket(bucket).key(key)
                        .range("bytes=0-" + max)
                        .overrideConfiguration(o -> o.apiCallTimeout(deadline).apiCallAttemptTimeout(deadline)),
                (ResponseTransformer<GetObjectResponse, byte[]>) (response, in) -> in.readNBytes(max + 1)));
        if (bytes.length > max) {
            throw new StoreException(StoreException.REJECTED, location(key) + " is larger than " + max + " bytes");
        }
        return bytes;
    }

    /** The object's bytes (the caller closes the stream); the socket timeout ends a stalled read. */
    public InputStream get(String key) {
        return call("read " + location(key), () -> s3.getObject(r -> r.bucket(bucket).key(key)));
    }

    public StoredObject put(String key, Path file, String sha256) {
        call("write " + location(key), () -> s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromFile(file)));
        return verify(key, sha256, -1);
    }

    /** Creates the bucket unless it exists (development set-ups and tests). */
    public void createBucket() {
        try {
            s3.createBucket(r -> r.bucket(bucket));
        } catch (S3Exception e) {
            if (e.statusCode() != 409) {
                throw failure("create bucket " + bucket, e);
            }
        } catch (SdkException e) {
            throw failure("create bucket " + bucket, e);
        }
    }

    private static <T> T call(String what, SdkCall<T> call) {
        try {
            return call.run();
        } catch (SdkException e) {
            throw failure(what, e);
        } catch (java.io.IOException e) {
            throw new StoreException(StoreException.UNREACHABLE, Redaction.redact(what + ": " + e), e);
        }
    }

    /** Unreachable (retried later) for timeouts, connection failures, 5xx and throttling; else refused. */
    static StoreException failure(String what, SdkException e) {
        String reason;
        String detail;
        if (e instanceof NoSuchKeyException || (e instanceof S3Exception s && s.statusCode() == 404
                && !(e instanceof NoSuchUploadException))) {
            reason = StoreException.NOT_FOUND;
            detail = "does not exist";
        } else if (e instanceof S3Exception s) {
            int status = s.statusCode();
            reason = status >= 500 || status == 429 ? StoreException.UNREACHABLE : StoreException.REJECTED;
            String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
            detail = "HTTP " + status + (code == null ? "" : " " + code);
        } else if (e instanceof SdkClientException) {
            reason = StoreException.UNREACHABLE;
            detail = e.getMessage();
        } else {
            reason = e.retryable() ? StoreException.UNREACHABLE : StoreException.REJECTED;
            detail = e.getMessage();
        }
        return new StoreException(reason, Redaction.redact(what + ": " + detail), e);
    }

    @FunctionalInterface
    private interface SdkCall<T> {
        T run() throws java.io.IOException;
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }
}
