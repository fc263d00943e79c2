package dev.twinbuild.operator.metrics;

import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Prometheus metrics: twinbuild_builds_started_total, twinbuild_builds_finished_total{outcome},
 * twinbuild_build_duration_seconds{outcome}, twinbuild_verdict_latency_seconds (last build done to
 * verdict recorded) and twinbuild_systemimages{phase}, counted from the operator's cache.
 */
public class BuildMetrics {
    private final MeterRegistry registry;
    private final Counter started;
    private volatile Supplier<Stream<SystemImage>> images = Stream::empty;

    public BuildMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.started = Counter.builder("twinbuild.builds.started").description("Builder pods created")
                .register(registry);
        for (Phase phase : Phase.values()) {
            Gauge.builder("twinbuild.systemimages", () -> count(phase)).tag("phase", phase.name())
                    .description("SystemImages by phase").register(registry);
        }
    }

    /** The primary cache is only known once the controller starts. */
    public void watch(Supplier<Stream<SystemImage>> images) {
        this.images = images;
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
                    .register(registry).record(duration);
        }
    }

    public void verdict(Phase phase, Duration sinceLastBuild) {
        if (sinceLastBuild != null && !sinceLastBuild.isNegative()) {
            Timer.builder("twinbuild.verdict.latency").tag("phase", phase.name())
                    .description("From the last build's completion to the verdict in status")
                    .register(registry).record(sinceLastBuild);
        }
    }

    private double count(Phase phase) {
        return images.get().filter(si -> si.getStatus() != null && si.getStatus().phase == phase).count();
    }
}
