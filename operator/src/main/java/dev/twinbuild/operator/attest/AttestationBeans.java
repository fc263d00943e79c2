package dev.twinbuild.operator.attest;

import dev.twinbuild.operator.config.TwinbuildConfig;
import dev.twinbuild.operator.store.StoreClients;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Wires the attestor, and makes (or reads) the signing key at start so the ConfigMap is there early. */
public class AttestationBeans {
    private static final Logger LOG = Logger.getLogger(AttestationBeans.class);

    @Produces
    @Singleton
    Attestor attestor(KubernetesClient client, StoreClients stores, TwinbuildConfig config) {
        TwinbuildConfig.Attestation a = config.attestation();
        String ns = a.namespace().orElseGet(() -> {
            String env = System.getenv("KUBERNETES_NAMESPACE");
            return env != null && !env.isBlank() ? env : client.getNamespace();
        });
        if (a.enabled() && (ns == null || ns.isBlank())) {
            LOG.warn("attestations off: the operator's namespace is unknown (set KUBERNETES_NAMESPACE or"
                    + " twinbuild.attestation.namespace)");
        }
        boolean on = a.enabled() && ns != null && !ns.isBlank();
        Attestor.Config c = new Attestor.Config(on, ns, a.secretName(), a.configMapName(), a.builderId());
        return new Attestor(() -> SigningKey.ensure(client, ns, a.secretName(), a.configMapName()), stores, c);
    }

    void onStart(@Observes StartupEvent event, Attestor attestor) {
        if (!attestor.enabled()) {
            return;
        }
        try {
            LOG.infof("attestation key %s", attestor.key().keyId());
        } catch (KubernetesClientException | IllegalStateException | IllegalArgumentException e) {
            // not fatal: the first verdict tries again
            LOG.warnf("attestation key not ready: %s", e.getMessage());
        }
    }
}
