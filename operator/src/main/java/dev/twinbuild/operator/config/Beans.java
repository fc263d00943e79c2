package dev.twinbuild.operator.config;

import dev.twinbuild.operator.events.EventRecorder;
import dev.twinbuild.operator.store.ArtifactVerifier;
import dev.twinbuild.operator.store.CheckIssuer;
import dev.twinbuild.operator.store.GrantIssuer;
import dev.twinbuild.operator.store.S3Settings;
import dev.twinbuild.operator.store.StoreArtifactVerifier;
import dev.twinbuild.operator.store.StoreClients;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Collaborators of the reconciler that need the Kubernetes client. */
public class Beans {

    @Produces
    @Singleton
    StoreClients storeClients(KubernetesClient client, OperatorSettings settings, TwinbuildConfig config) {
        TwinbuildConfig.Store s = config.store();
        long partSize = Quantity.getAmountInBytes(new Quantity(s.s3PartSize())).longValue();
        return new StoreClients(client, settings.defaultStore(), S3Settings.defaults().withPartSize(partSize)
                .withTimeouts(s.s3CallTimeout(), s.s3AttemptTimeout(), s.s3MaxAttempts()).withPathStyle(s.s3PathStyle()));
    }

    void closeStoreClients(@Disposes StoreClients clients) {
        clients.close();
    }

    @Produces
    @Singleton
    ArtifactVerifier artifactVerifier(StoreClients clients) {
        return new StoreArtifactVerifier(clients);
    }

    @Produces
    @Singleton
    GrantIssuer grantIssuer(StoreClients clients) {
        return new GrantIssuer(clients);
    }

    @Produces
    @Singleton
    CheckIssuer checkIssuer(StoreClients clients, TwinbuildConfig config) {
        return new CheckIssuer(clients, config.diagnosis().maxBytes());
    }

    @Produces
    @Singleton
    EventRecorder eventRecorder(KubernetesClient client, Clock clock) {
        return new EventRecorder(client, clock);
    }
}
