package dev.twinbuild.operator.apiserver;

import dev.twinbuild.attest.Keys;
import dev.twinbuild.operator.attest.SigningKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The attestation key against a real API server: made once however many operators start at once. */
class AttestationKeyIT {
    private static KubernetesClient client;

    @BeforeAll
    static void cluster() throws Exception {
        client = ApiServer.client();
    }

    private static String namespace(String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
        return name;
    }

    @Test
    void racingReplicasEndUpWithOneKey() throws Exception {
        String ns = namespace("attestation-key-race");
        int replicas = 6;
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<SigningKey>> keys = new ArrayList<>();
        try {
            for (int i = 0; i < replicas; i++) {
                keys.add(pool.submit(() -> {
                    go.await();
                    return SigningKey.ensure(client, ns, "twinbuild-attestation-key", "twinbuild-attestation-key");
                }));
            }
            go.countDown();
            List<String> ids = new ArrayList<>();
            for (Future<SigningKey> k : keys) {
                ids.add(k.get().keyId());
            }
            assertThat(ids).hasSize(replicas).containsOnly(ids.get(0));
            assertThat(client.secrets().inNamespace(ns).list().getItems()).singleElement()
                    .satisfies(s -> assertThat(s.getImmutable()).isTrue());
            ConfigMap cm = client.configMaps().inNamespace(ns).withName("twinbuild-attestation-key").get();
            assertThat(Keys.keyId(Keys.readPublic(cm.getData().get(SigningKey.CONFIGMAP_KEY)))).isEqualTo(ids.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRestartReadsTheKeyAndRepairsTheConfigMap() {
        String ns = namespace("attestation-key-restart");
        SigningKey first = SigningKey.ensure(client, ns, "k", "twinbuild-attestation-key");
        // someone put another public key into the ConfigMap
        ConfigMap cm = client.configMaps().inNamespace(ns).withName("twinbuild-attestation-key").get();
        cm.getData().put(SigningKey.CONFIGMAP_KEY, Keys.publicPem(Keys.generate().getPublic()));
        client.resource(cm).update();

        SigningKey again = SigningKey.ensure(client, ns, "k", "twinbuild-attestation-key");
        assertThat(again.keyId()).isEqualTo(first.keyId());
        assertThat(again.privateKey()).isEqualTo(first.privateKey());
        assertThat(client.configMaps().inNamespace(ns).withName("twinbuild-attestation-key").get().getData()
                .get(SigningKey.CONFIGMAP_KEY)).isEqualTo(Keys.publicPem(first.publicKey()));
    }
}
