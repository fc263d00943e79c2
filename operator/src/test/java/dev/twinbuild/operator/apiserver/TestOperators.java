package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.diagnosis.StoreMismatchDiagnoser;
import dev.twinbuild.operator.events.EventRecorder;
import dev.twinbuild.operator.metrics.BuildMetrics;
import dev.twinbuild.operator.reconciler.SystemImageReconciler;
import dev.twinbuild.operator.store.GrantIssuer;
import dev.twinbuild.operator.store.S3ProxyServer;
import dev.twinbuild.operator.store.StoreArtifactVerifier;
import dev.twinbuild.operator.store.StoreClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;

/** The operator as the API-server tests run it: the reconciler wired as the application wires it, in the given namespaces. */
final class TestOperators {
    private TestOperators() {
    }

    /**
     * @param maxDiffBytes how much of each side the mismatch diagnosis may read
     * @param namespaces   the namespaces it watches (one, for most tests)
     */
    static Operator start(KubernetesClient client, OperatorSettings settings, MeterRegistry registry,
                          long maxDiffBytes, String... namespaces) {
        Clock clock = Clock.systemUTC();
        StoreClients clients = new StoreClients(client, settings.defaultStore(), S3ProxyServer.settings(),
                S3ProxyServer.credentials());
        Operator operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
                .withConcurrentReconciliationThreads(2));
        operator.register(new SystemImageReconciler(settings, new BuildMetrics(registry), clock,
                        new StoreArtifactVerifier(clients), new StoreMismatchDiagnoser(clients, maxDiffBytes),
                        new EventRecorder(client, clock), new GrantIssuer(clients)),
                c -> c.settingNamespaces(namespaces));
        operator.start();
        return operator;
    }
}
