package dev.twinbuild.operator.store;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.store.S3Credentials;
import dev.twinbuild.store.S3ObjectStore;
import dev.twinbuild.store.StoreException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** Opens the S3 store a SystemImage names, with the credentials from its Secret. */
public class StoreClients {
    private final KubernetesClient client;

    public StoreClients(KubernetesClient client) {
        this.client = client;
    }

    public S3ObjectStore s3(String namespace, ArtifactStore store) {
        return new S3ObjectStore(URI.create(store.s3.endpoint), store.s3.bucket, store.s3.region,
                credentials(namespace, store.s3.credentialsSecret));
    }

    private S3Credentials credentials(String namespace, String secretName) {
        if (secretName == null) {
            throw new StoreException(StoreException.REJECTED, "the S3 store names no credentialsSecret");
        }
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        } catch (KubernetesClientException e) {
            throw new StoreException(StoreException.UNREACHABLE, "cannot read secret " + secretName + ": "
                    + e.getMessage(), e);
        }
        if (secret == null) {
            throw new StoreException(StoreException.REJECTED, "secret " + namespace + "/" + secretName + " not found");
        }
        return new S3Credentials(value(secret, "accessKeyId"), value(secret, "secretAccessKey"), null);
    }

    private static String value(Secret secret, String key) {
        Map<String, String> data = secret.getData();
        if (data != null && data.get(key) != null) {
            return new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
        }
        Map<String, String> plain = secret.getStringData();
        return plain == null ? null : plain.get(key);
    }
}
