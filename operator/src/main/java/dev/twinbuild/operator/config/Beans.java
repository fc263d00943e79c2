package dev.twinbuild.operator.config;

import dev.twinbuild.operator.events.EventRecorder;
import dev.twinbuild.operator.store.ArtifactVerifier;
import dev.twinbuild.operator.store.StoreArtifactVerifier;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Collaborators of the reconciler that need the Kubernetes client. */
public class Beans {

    @Produces
    @Singleton
    ArtifactVerifier artifactVerifier(KubernetesClient client) {
        return new StoreArtifactVerifier(client);
    }

    @Produces
    @Singleton
    EventRecorder eventRecorder(KubernetesClient client, Clock clock) {
        return new EventRecorder(client, clock);
    }
}
