package dev.twinbuild.operator.config;

import java.time.Duration;

/**
 * Limits on re-verification (spec.verification.interval/schedule), cluster-wide.
 *
 * @param minInterval   the shortest interval (or gap between two cron times) a SystemImage may ask for
 * @param maxJitter     the most a re-verification is delayed past its window (also at most 10% of the period)
 * @param maxConcurrent re-verifications running at once; the others wait (they also take build slots
 *                      under queue.maxBuilding like any build)
 */
public record ReverifySettings(Duration minInterval, Duration maxJitter, int maxConcurrent) {
    public static final String DEFAULT_MIN_INTERVAL = "1h";
    public static final String DEFAULT_MAX_JITTER = "15m";
    public static final String DEFAULT_MAX_CONCURRENT = "4";

    public static ReverifySettings defaults() {
        return new ReverifySettings(Duration.ofHours(1), Duration.ofMinutes(15), 4);
    }

    public static ReverifySettings from(TwinbuildConfig.Reverification c) {
        return new ReverifySettings(c.minInterval(), c.maxJitter(), c.maxConcurrent());
    }
}
