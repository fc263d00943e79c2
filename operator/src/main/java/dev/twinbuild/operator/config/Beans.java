package dev.twinbuild.operator.config;

import dev.twinbuild.operator.diagnosis.MismatchDiagnoser;
import dev.twinbuild.operator.diagnosis.StoreMismatchDiagnoser;
import dev.twinbuild.operator.events.EventRecorder;
import dev.twinbuild.operator.store.ArtifactVerifier;
import dev.twinbuild.operator.store.StoreArtifactVerifier;
import dev.twinbuild.operator.store.StoreClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Collaborators of the reconciler that need the Kubernetes client. */
public class Beans {

    @Produces
    @Singleton
    StoreClients storeClients(KubernetesClient client) {
        return new StoreClients(client);
    }

    @Produces
    @Singleton
    ArtifactVerifier artifactVerifier(StoreClients clients) {
        return new StoreArtifactVerifier(clients);
    }

    @Produces
    @Singleton
    MismatchDiagnoser mismatchDiagnoser(StoreClients clients, TwinbuildConfig config) {
        return new StoreMismatchDiagnoser(clients, config.diagnosis().maxBytes());
    }

    @Produces
    @Singleton
    EventRecorder eventRecorder(KubernetesClient client, Clock clock) {
        return new EventRecorder(client, clock);
    }
}
