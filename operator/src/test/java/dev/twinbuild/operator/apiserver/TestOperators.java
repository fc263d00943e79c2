package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.events.EventRecorder;
import dev.twinbuild.operator.metrics.BuildMetrics;
import dev.twinbuild.operator.reconciler.SystemImageReconciler;
import dev.twinbuild.operator.store.CheckIssuer;
import dev.twinbuild.operator.store.GrantIssuer;
import dev.twinbuild.operator.store.S3ProxyServer;
import dev.twinbuild.operator.store.StoreArtifactVerifier;
import dev.twinbuild.operator.store.StoreClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;

/** The operator as the API-server tests run it: the reconciler wired as the application wires it, one namespace. */
final class TestOperators {
    private TestOperators() {
    }

    /** @param maxDiffBytes the largest side a check pod diffs */
    static Operator start(KubernetesClient client, OperatorSettings settings, MeterRegistry registry,
                          long maxDiffBytes, String namespace) {
        Clock clock = Clock.systemUTC();
        StoreClients clients = new StoreClients(client, settings.defaultStore(), S3ProxyServer.settings(),
                S3ProxyServer.credentials());
        Operator operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
                .withConcurrentReconciliationThreads(2));
        operator.register(new SystemImageReconciler(settings, new BuildMetrics(registry), clock,
                        new StoreArtifactVerifier(clients), new CheckIssuer(clients, maxDiffBytes),
                        new EventRecorder(client, clock), new GrantIssuer(clients)),
                c -> c.settingNamespace(namespace));
        operator.start();
        return operator;
    }
}
