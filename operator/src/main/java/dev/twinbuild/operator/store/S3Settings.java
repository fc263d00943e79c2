package dev.twinbuild.operator.store;

import java.time.Duration;

/**
 * How the operator talks to S3.
 *
 * @param partSize           files up to this size are uploaded in one presigned PUT, larger ones in parts of it
 *                           (S3: at least 5 MiB, at most 5 GiB; at most 10000 parts)
 * @param apiCallTimeout     deadline of one call, retries included
 * @param attemptTimeout     deadline of one attempt (also the socket read timeout: a stalled endpoint)
 * @param maxAttempts        attempts per call (standard retry strategy: exponential backoff, full jitter)
 * @param minReadRate        bytes per second a read-back may not fall below (its deadline grows with size)
 * @param pathStyle          {@code endpoint/bucket/key}, which MinIO, Ceph RGW, s3proxy and AWS all accept
 */
public record S3Settings(long partSize, Duration apiCallTimeout, Duration attemptTimeout, int maxAttempts,
                         long minReadRate, boolean pathStyle) {
    public static final long MIN_PART = 5L << 20;

    public static S3Settings defaults() {
        return new S3Settings(512L << 20, Duration.ofSeconds(30), Duration.ofSeconds(10), 4, 4L << 20, true);
    }

    public S3Settings withPartSize(long bytes) {
        if (bytes < MIN_PART || bytes > (5L << 30)) {
            throw new IllegalArgumentException("the S3 part size must be between 5Mi and 5Gi, not " + bytes);
        }
        return new S3Settings(bytes, apiCallTimeout, attemptTimeout, maxAttempts, minReadRate, pathStyle);
    }

    public S3Settings withTimeouts(Duration call, Duration attempt, int attempts) {
        return new S3Settings(partSize, call, attempt, attempts, minReadRate, pathStyle);
    }

    public S3Settings withPathStyle(boolean on) {
        return new S3Settings(partSize, apiCallTimeout, attemptTimeout, maxAttempts, minReadRate, on);
    }

    /** Deadline of reading {@code bytes} back: the call timeout plus the time at the minimum rate. */
    public Duration readTimeout(long bytes) {
        return apiCallTimeout.plusSeconds(Math.max(0, bytes) / Math.max(1, minReadRate));
    }
}
