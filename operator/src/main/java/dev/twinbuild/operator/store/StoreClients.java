package dev.twinbuild.operator.store;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.store.StoreException;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Opens the S3 store a SystemImage uses. The operator's own store (its default) is reached with the
 * operator's credentials — the AWS SDK's default chain: environment (a Secret in the operator's
 * namespace), web identity (IRSA), EKS pod identity, profiles, instance roles — which never leave the
 * operator. A store a spec names itself brings a Secret of its namespace. Clients are kept and reused.
 */
public class StoreClients implements AutoCloseable {
    private static final int MAX_CACHED = 32;

    private final KubernetesClient client;
    private final ArtifactStore defaultStore;
    private final S3Settings settings;
    private final AwsCredentialsProvider operatorCredentials;
    private final Map<String, S3Access> cache = new LinkedHashMap<>();

    public StoreClients(KubernetesClient client, ArtifactStore defaultStore, S3Settings settings) {
        this(client, defaultStore, settings, DefaultCredentialsProvider.builder().build());
    }

    public StoreClients(KubernetesClient client, ArtifactStore defaultStore, S3Settings settings,
                        AwsCredentialsProvider operatorCredentials) {
        this.client = client;
        this.defaultStore = defaultStore;
        this.settings = settings;
        this.operatorCredentials = operatorCredentials;
    }

    public KubernetesClient kubernetes() {
        return client;
    }

    public S3Settings settings() {
        return settings;
    }

    public synchronized S3Access s3(String namespace, ArtifactStore store) {
        String cacheKey;
        AwsCredentialsProvider credentials;
        if (store.s3.credentialsSecret == null || store.s3.credentialsSecret.isBlank()) {
            if (!isOperatorStore(store)) {
                throw new StoreException(StoreException.REJECTED, "spec.store.s3 names no credentialsSecret");
            }
            cacheKey = "operator|" + store.s3.endpoint + "|" + store.s3.bucket + "|" + store.s3.region;
            credentials = operatorCredentials;
        } else {
            Secret secret = secret(namespace, store.s3.credentialsSecret);
            cacheKey = namespace + "/" + store.s3.credentialsSecret + "@" + secret.getMetadata().getResourceVersion()
                    + "|" + store.s3.endpoint + "|" + store.s3.bucket + "|" + store.s3.region;
            credentials = cache.containsKey(cacheKey) ? null : StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(value(secret, "accessKeyId"), value(secret, "secretAccessKey")));
        }
        S3Access access = cache.get(cacheKey);
        if (access == null) {
            if (cache.size() >= MAX_CACHED) {
                String eldest = cache.keySet().iterator().next();
                cache.remove(eldest).close();
            }
            access = new S3Access(URI.create(store.s3.endpoint), store.s3.region, store.s3.bucket, credentials, settings);
            cache.put(cacheKey, access);
        }
        return access;
    }

    private boolean isOperatorStore(ArtifactStore store) {
        return defaultStore != null && defaultStore.s3 != null
                && Objects.equals(defaultStore.s3.endpoint, store.s3.endpoint)
                && Objects.equals(defaultStore.s3.bucket, store.s3.bucket);
    }

    private Secret secret(String namespace, String name) {
        Secret secret;
        try {
            secret = client.secrets().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new StoreException(StoreException.UNREACHABLE, "cannot read secret " + name + ": " + e.getMessage(), e);
        }
        if (secret == null) {
            throw new StoreException(StoreException.REJECTED, "secret " + namespace + "/" + name + " not found");
        }
        return secret;
    }

    private static String value(Secret secret, String key) {
        Map<String, String> data = secret.getData();
        String v = null;
        if (data != null && data.get(key) != null) {
            v = new String(Base64.getDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
        } else if (secret.getStringData() != null) {
            v = secret.getStringData().get(key);
        }
        if (v == null || v.isBlank()) {
            throw new StoreException(StoreException.REJECTED, "secret " + secret.getMetadata().getName()
                    + " has no " + key);
        }
        return v;
    }

    @Override
    public synchronized void close() {
        cache.values().forEach(S3Access::close);
        cache.clear();
    }
}
