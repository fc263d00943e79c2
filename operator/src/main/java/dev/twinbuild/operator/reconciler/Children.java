package dev.twinbuild.operator.reconciler;

import dev.twinbuild.check.CheckRequest;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.pods.ManifestConfigMap;
import dev.twinbuild.operator.pods.Names;
import io.fabric8.kubernetes.api.model.ConfigMap;
import dev.twinbuild.operator.store.GrantIssuer;
import dev.twinbuild.store.UploadGrants;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Creates and deletes the children of one SystemImage. Creation is idempotent (a name that exists is
 * success: that pod is the one we want), which is what makes a restart safe.
 */
final class Children {
    private final KubernetesClient client;
    private final SystemImage si;
    private final String specHash;
    private final String namespace;
    private boolean manifestEnsured;
    private NodeReadiness nodes;
    private List<String> pullSecrets;

    Children(KubernetesClient client, SystemImage si, String specHash) {
        this.client = client;
        this.si = si;
        this.specHash = specHash;
        this.namespace = si.getMetadata().getNamespace();
    }

    /** @return the created pod (with its UID), or null when a pod of that name already existed */
    Pod createPod(Pod pod) {
        ensureManifest();
        try {
            return client.pods().inNamespace(namespace).resource(pod).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return null;
            }
            throw e;
        }
    }

    /** Creates the pod's grant Secret; one left from an earlier attempt of the same name is replaced. */
    void createGrants(Pod pod, UploadGrants grants) {
        Secret secret = GrantIssuer.secret(pod, grants, Names.generationLabels(si.getMetadata().getName(), specHash));
        try {
            client.secrets().inNamespace(namespace).resource(secret).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            client.secrets().inNamespace(namespace).withName(secret.getMetadata().getName()).delete();
            client.secrets().inNamespace(namespace).resource(secret).create();
        }
    }

    /** The check pod's request (its presigned grants), in a Secret the pod owns. */
    void createCheckRequest(Pod pod, CheckRequest request) {
        Secret secret = new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName(GrantIssuer.secretName(pod.getMetadata().getName()))
                .withNamespace(namespace)
                .withLabels(Names.generationLabels(si.getMetadata().getName(), specHash))
                .withOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                        .withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
                        .withUid(pod.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(false).build()))
                .endMetadata()
                .withType("Opaque")
                .withImmutable(true)
                .withStringData(java.util.Map.of(CheckRequest.FILE, request.toJson()))
                .build();
        try {
            client.secrets().inNamespace(namespace).resource(secret).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            client.secrets().inNamespace(namespace).withName(secret.getMetadata().getName()).delete();
            client.secrets().inNamespace(namespace).resource(secret).create();
        }
    }

    void deletePod(String name) {
        client.pods().inNamespace(namespace).withName(name).delete();
    }

    /** Removes a pod at once, without waiting for its kubelet: only for pods on a node that is gone. */
    void forceDeletePod(String name) {
        client.pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
    }

    /**
     * The imagePullSecrets of the builder pods' service account (names only; read once per pass, when a
     * pod is created). None when the account is missing or not readable.
     */
    List<String> pullSecrets(String serviceAccount) {
        if (pullSecrets == null) {
            pullSecrets = List.of();
            try {
                var sa = client.serviceAccounts().inNamespace(namespace)
                        .withName(serviceAccount == null ? "default" : serviceAccount).get();
                if (sa != null && sa.getImagePullSecrets() != null) {
                    pullSecrets = sa.getImagePullSecrets().stream().map(r -> r.getName())
                            .filter(Objects::nonNull).sorted().toList();
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 403 && e.getCode() != 404) {
                    throw e;
                }
            }
        }
        return pullSecrets;
    }

    /** Node states, read at most once per node and pass. */
    BuildTracker.NodeCheck nodes() {
        if (nodes == null) {
            nodes = new NodeReadiness(client);
        }
        return nodes;
    }

    /** Deletes pods (and, after a spec change, manifests) of other spec hashes. */
    void deleteSuperseded(Collection<Pod> pods, boolean specChanged) {
        for (Pod pod : pods) {
            String podHash = pod.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH);
            // Re-verification rounds of this spec are cleaned up by Reverifier (it keeps the last round's).
            if (!Names.ofSpec(specHash, podHash) && pod.getMetadata().getDeletionTimestamp() == null) {
                deletePod(pod.getMetadata().getName());
            }
        }
        if (specChanged) {
            client.configMaps().inNamespace(namespace)
                    .withLabel(Names.LABEL_IMAGE, Names.imageLabel(si.getMetadata().getName()))
                    .withLabel(Names.LABEL_MANAGED_BY, Names.MANAGED_BY)
                    .withLabelNotIn(Names.LABEL_SPEC_HASH, specHash)
                    .delete();
        }
    }

    private void ensureManifest() {
        if (manifestEnsured) {
            return;
        }
        ConfigMap cm = ManifestConfigMap.desired(si, specHash);
        try {
            client.configMaps().inNamespace(namespace).resource(cm).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        manifestEnsured = true;
    }
}
