package dev.twinbuild.operator.dashboard;

import dev.twinbuild.operator.cache.ImageCache;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

class DashboardBeans {
    @Produces
    @Singleton
    DashboardData data(ImageCache images) {
        return new DashboardData(images);
    }

    @Produces
    @Singleton
    Authorizer authorizer(KubernetesClient client, DashboardConfig config, Clock clock) {
        return new Authorizer(client, config.auth(), config.authCacheTtl(), clock);
    }
}
