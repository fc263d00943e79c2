package dev.twinbuild.pipeline.fetch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Backoff for fetches that failed on the network, 429 or 5xx: exponential with jitter (so that the
 * builds of a verification do not hammer a recovering server in step), bounded in attempts, and
 * honouring a server's Retry-After up to {@code maxDelay}.
 */
public record Retry(int attempts, Duration baseDelay, Duration maxDelay) {
    /** About a minute of trying: 1, 2, 4, 8, 16 s (each jittered down to half), then give up. */
    public static final Retry DEFAULT = new Retry(6, Duration.ofSeconds(1), Duration.ofSeconds(30));

    /** Delay before attempt {@code attempt + 1} ({@code attempt} ≥ 1), or null when the server asks for too long. */
    public Duration delay(int attempt, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(maxDelay) > 0 ? null : retryAfter;
        }
        long ceiling = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(20, attempt - 1));
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }
}
