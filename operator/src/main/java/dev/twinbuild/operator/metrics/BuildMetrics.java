package dev.twinbuild.operator.metrics;

import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.cache.ImageCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Prometheus metrics: twinbuild_builds_started_total, twinbuild_builds_finished_total{outcome},
 * twinbuild_build_duration_seconds{outcome} (a histogram), twinbuild_verifications_total{result},
 * twinbuild_verdict_latency_seconds (last build done to verdict recorded), and from the operator's cache
 * twinbuild_systemimages{phase} and twinbuild_last_verification_timestamp_seconds. Labels are bounded
 * enums only: never a digest, path, node or object name.
 */
public class BuildMetrics {
    private final MeterRegistry registry;
    private final Counter started;
    /** Builds run minutes to an hour: buckets from 30 s to 2 h. */
    static final Duration[] BUILD_BUCKETS = {Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
            Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(30),
            Duration.ofHours(1), Duration.ofHours(2)};
    private final ImageCache images;

    public BuildMetrics(MeterRegistry registry) {
        this(registry, new ImageCache());
    }

    public BuildMetrics(MeterRegistry registry, ImageCache images) {
        this.registry = registry;
        this.images = images;
        this.started = Counter.builder("twinbuild.builds.started").description("Builder pods created")
                .register(registry);
        for (Phase phase : Phase.values()) {
            Gauge.builder("twinbuild.systemimages", () -> count(phase)).tag("phase", phase.name())
                    .description("SystemImages by phase").register(registry);
        }
        Gauge.builder("twinbuild.last.verification.timestamp", this::lastVerification)
                .description("When the most recent verdict (of any SystemImage in the cache) was reached, Unix seconds")
                .baseUnit("seconds").register(registry);
        for (Phase phase : Phase.values()) {
            if (phase.isFinal()) {
                verifications(phase);
            }
        }
    }

    /** The primary cache is only known once the controller starts. */
    public void watch(Supplier<Stream<SystemImage>> images) {
        this.images.watch(images);
    }

    public void buildStarted() {
        started.increment();
    }

    /** @param outcome succeeded or the failure reason's class: failed, timeout */
    public void buildFinished(String outcome, Duration duration) {
        Counter.builder("twinbuild.builds.finished").tag("outcome", outcome).description("Builds finished")
                .register(registry).increment();
        if (duration != null && !duration.isNegative()) {
            Timer.builder("twinbuild.build.duration").tag("outcome", outcome).description("Build pod run time")
                    .serviceLevelObjectives(BUILD_BUCKETS).register(registry).record(duration);
        }
    }

    public void verdict(Phase phase, Duration sinceLastBuild) {
        verifications(phase).increment();
        if (sinceLastBuild != null && !sinceLastBuild.isNegative()) {
            Timer.builder("twinbuild.verdict.latency").tag("phase", phase.name())
                    .description("From the last build's completion to the verdict in status")
                    .register(registry).record(sinceLastBuild);
        }
    }

    /** result: reproducible, unreproducible or failed. */
    private Counter verifications(Phase phase) {
        return Counter.builder("twinbuild.verifications").tag("result", phase.name().toLowerCase(Locale.ROOT))
                .description("Verdicts reached").register(registry);
    }

    /** Reconciling turns False exactly when a generation reaches its final phase. */
    private double lastVerification() {
        return images.list().filter(si -> si.getStatus() != null && si.getStatus().phase != null
                        && si.getStatus().phase.isFinal())
                .flatMap(si -> si.getStatus().conditions.stream())
                .filter(c -> "Reproducible".equals(c.getType()) && c.getLastTransitionTime() != null)
                .mapToDouble(c -> Instant.parse(c.getLastTransitionTime()).getEpochSecond())
                .max().orElse(Double.NaN);
    }

    private double count(Phase phase) {
        return images.list().filter(si -> si.getStatus() != null && si.getStatus().phase == phase).count();
    }
}
