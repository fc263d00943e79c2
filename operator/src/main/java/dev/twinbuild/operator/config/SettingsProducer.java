package dev.twinbuild.operator.config;

import dev.twinbuild.operator.cache.ImageCache;
import dev.twinbuild.operator.metrics.BuildMetrics;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Wires plain objects into CDI, so that the reconciler itself stays free of framework types. */
public class SettingsProducer {

    @Produces
    @Singleton
    OperatorSettings settings(TwinbuildConfig config) {
        return OperatorSettings.from(config);
    }

    @Produces
    @Singleton
    ReverifySettings reverifySettings(TwinbuildConfig config) {
        return ReverifySettings.from(config.verification());
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    BuildMetrics metrics(MeterRegistry registry, ImageCache images) {
        return new BuildMetrics(registry, images);
    }

    @Produces
    @Singleton
    ImageCache images() {
        return new ImageCache();
    }

    /**
     * QOSDK looks this bean up in the prod profile; a null (dependent) bean leaves leader election off,
     * which is right for a single replica. Enable with twinbuild.leader-election.enabled=true.
     */
    @Produces
    @Dependent
    LeaderElectionConfiguration leaderElection(TwinbuildConfig config) {
        TwinbuildConfig.LeaderElection le = config.leaderElection();
        return le.enabled() ? new LeaderElectionConfiguration(le.leaseName(), le.leaseNamespace().orElse(null)) : null;
    }
}
