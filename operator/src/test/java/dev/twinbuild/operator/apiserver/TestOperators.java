package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.attest.Attestor;
import dev.twinbuild.operator.attest.SigningKey;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.config.ReverifySettings;
import dev.twinbuild.operator.events.EventRecorder;
import dev.twinbuild.operator.metrics.BuildMetrics;
import dev.twinbuild.operator.reconciler.SystemImageReconciler;
import dev.twinbuild.operator.store.CheckIssuer;
import dev.twinbuild.operator.store.GrantIssuer;
import dev.twinbuild.operator.store.S3ProxyServer;
import dev.twinbuild.operator.store.StoreArtifactVerifier;
import dev.twinbuild.operator.store.StoreClients;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;

/** The operator as the API-server tests run it: the reconciler wired as the application wires it, in the given namespaces. */
final class TestOperators {
    private TestOperators() {
    }

    /**
     * @param maxDiffBytes the largest side a check pod diffs
     * @param namespaces   the namespaces it watches (one, for most tests)
     */
    static Operator start(KubernetesClient client, OperatorSettings settings, MeterRegistry registry,
                          long maxDiffBytes, String... namespaces) {
        return start(client, settings, ReverifySettings.defaults(), registry, maxDiffBytes, namespaces);
    }

    /** @param reverify limits on re-verification (a test lowers the minimum interval) */
    static Operator start(KubernetesClient client, OperatorSettings settings, ReverifySettings reverify,
                          MeterRegistry registry, long maxDiffBytes, String... namespaces) {
        Clock clock = Clock.systemUTC();
        StoreClients clients = new StoreClients(client, settings.defaultStore(), S3ProxyServer.settings(),
                S3ProxyServer.credentials());
        Operator operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
                .withConcurrentReconciliationThreads(2));
        SystemImageReconciler reconciler = new SystemImageReconciler(settings, new BuildMetrics(registry), clock,
                new StoreArtifactVerifier(clients), new CheckIssuer(clients, maxDiffBytes),
                new EventRecorder(client, clock), new GrantIssuer(clients));
        reconciler.setAttestor(attestor(client, clients));
        reconciler.setReverifySettings(reverify);
        // As QOSDK registers it: the namespaces first, then the reconciler's own configuration (its caches).
        operator.register(reconciler, c -> reconciler.updateConfigurationFrom(c.settingNamespaces(namespaces)));
        operator.start();
        return operator;
    }

    /** As AttestationBeans wires it, with the key in {@link #OPERATOR_NAMESPACE}. */
    static Attestor attestor(KubernetesClient client, StoreClients clients) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(OPERATOR_NAMESPACE).endMetadata()
                .build()).serverSideApply();
        return new Attestor(() -> SigningKey.ensure(client, OPERATOR_NAMESPACE, KEY_NAME, KEY_NAME), clients,
                new Attestor.Config(true, OPERATOR_NAMESPACE, KEY_NAME, KEY_NAME, "https://twinbuild.dev/operator/v1"));
    }

    static final String OPERATOR_NAMESPACE = "twinbuild-system";
    static final String KEY_NAME = "twinbuild-attestation-key";
}
