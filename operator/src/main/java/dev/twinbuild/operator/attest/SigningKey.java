package dev.twinbuild.operator.attest;

import dev.twinbuild.attest.Keys;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * The operator's attestation key: a Secret in the operator's own namespace (private and public PEM), made
 * on first start when absent, and its public half published in a ConfigMap for anyone to verify with.
 * Two replicas or restarts may race: each creates only if absent and then uses what the API server holds,
 * so all end up with the one key that won the create.
 */
public final class SigningKey {
    public static final String PRIVATE_PEM = "private.pem";
    public static final String PUBLIC_PEM = "public.pem";
    public static final String CONFIGMAP_KEY = "public.pem";
    public static final String LABEL_COMPONENT = "app.kubernetes.io/component";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    private SigningKey(PrivateKey privateKey, PublicKey publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.keyId = Keys.keyId(publicKey);
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public String keyId() {
        return keyId;
    }

    /**
     * Reads the key, creating it when absent; then makes the ConfigMap hold its public PEM.
     *
     * @throws KubernetesClientException when the API server cannot be reached or refuses (retried by the caller)
     */
    public static SigningKey ensure(KubernetesClient client, String namespace, String secretName, String configMapName) {
        Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        if (secret == null) {
            KeyPair pair = Keys.generate();
            Secret fresh = new SecretBuilder().withNewMetadata().withName(secretName).withNamespace(namespace)
                    .addToLabels(LABEL_COMPONENT, "attestation-key").addToLabels("app.kubernetes.io/part-of", "twinbuild")
                    .endMetadata().withType("Opaque").withImmutable(true)
                    .addToData(PRIVATE_PEM, b64(Keys.privatePem(pair.getPrivate())))
                    .addToData(PUBLIC_PEM, b64(Keys.publicPem(pair.getPublic()))).build();
            try {
                client.secrets().inNamespace(namespace).resource(fresh).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // another replica created it first: use theirs
            }
            secret = client.secrets().inNamespace(namespace).withName(secretName).get();
            if (secret == null) {
                throw new KubernetesClientException("Secret " + namespace + "/" + secretName + " vanished after its create");
            }
        }
        SigningKey key = fromSecret(secret);
        publish(client, namespace, configMapName, Keys.publicPem(key.publicKey));
        return key;
    }

    static SigningKey fromSecret(Secret secret) {
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        if (data.get(PRIVATE_PEM) == null || data.get(PUBLIC_PEM) == null) {
            throw new IllegalStateException("Secret " + secret.getMetadata().getName() + " lacks " + PRIVATE_PEM
                    + " or " + PUBLIC_PEM);
        }
        return new SigningKey(Keys.readPrivate(unb64(data.get(PRIVATE_PEM))), Keys.readPublic(unb64(data.get(PUBLIC_PEM))));
    }

    /** Creates the ConfigMap, or corrects it when it holds another key (e.g. after the Secret was replaced). */
    private static void publish(KubernetesClient client, String namespace, String name, String pem) {
        ConfigMap desired = new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels(LABEL_COMPONENT, "attestation-key").addToLabels("app.kubernetes.io/part-of", "twinbuild")
                .endMetadata().addToData(CONFIGMAP_KEY, pem).build();
        var resource = client.configMaps().inNamespace(namespace).withName(name);
        ConfigMap current = resource.get();
        if (current == null) {
            try {
                client.configMaps().inNamespace(namespace).resource(desired).create();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                current = resource.get();
            }
        }
        if (current != null && !Objects.equals(pem, current.getData() == null ? null : current.getData().get(CONFIGMAP_KEY))) {
            desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
            client.configMaps().inNamespace(namespace).resource(desired).update();
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }
}
