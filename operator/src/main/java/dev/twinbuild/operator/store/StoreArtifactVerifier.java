package dev.twinbuild.operator.store;

import dev.twinbuild.operator.api.v1alpha1.BuildOutput;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.store.StoreException;
import dev.twinbuild.store.Stores;
import dev.twinbuild.store.UploadGrants;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * Completes a build's multipart uploads (with the parts S3 lists, never a list the pod gives) and checks
 * that every output was reported at the key the operator computed. The operator reads no artifact itself:
 * a check pod reads them back and compares their digests (CheckPods). A PVC is not mounted in the
 * operator: there the builder's own read-back check stands.
 */
public class StoreArtifactVerifier implements ArtifactVerifier {
    private final StoreClients clients;

    public StoreArtifactVerifier(StoreClients clients) {
        this.clients = clients;
    }

    @Override
    public void verify(String namespace, BuildStatus build, BuildLayout layout) {
        if (layout.store().s3 == null) {
            return;
        }
        S3Access s3 = clients.s3(namespace, layout.store());
        finishUploads(namespace, build, layout, s3);
        for (BuildOutput o : build.outputs) {
            String key = layout.outputs().get(o.file);
            if (key == null || !Objects.equals(layout.location(key), o.location)) {
                throw new StoreException(StoreException.REJECTED, build.name + " reported " + o.location
                        + " for " + o.file + ", expected " + (key == null ? "no such output" : layout.location(key)));
            }
        }
    }

    /**
     * Read from the store, never from the build's record: the upload container (the operator's image, with
     * the operator's grant for this key alone) wrote it from what it hashed and stored. Bounded; what it
     * names is then checked against the layout like a termination message.
     *
     * <p>Not for PVC stores, on purpose. There the file lies on the tenant's own volume, which any pod of the
     * namespace may mount and rewrite between the upload and the read: unlike an S3 key only the operator's
     * grant writes, it is tenant data, and the operator does not parse tenant data. A check pod would not
     * help: its only way back is a termination message, the same 4 KiB that did not hold the summary (a
     * container log is kept by the node's kubelet only, gone with the node).
     */
    @Override
    public BuildSummary storedSummary(String namespace, BuildLayout layout) {
        if (layout.store().s3 == null) {
            throw new StoreException(StoreException.REJECTED, "the build summary did not fit the termination "
                    + "message and the operator does not mount PVC stores to read " + Stores.SUMMARY_FILE
                    + "; use an S3 store or fewer outputs");
        }
        byte[] json = clients.s3(namespace, layout.store()).readSmall(layout.summaryKey(), Stores.MAX_SUMMARY_BYTES);
        BuildSummary summary = BuildSummary.parse(new String(json, StandardCharsets.UTF_8));
        if (summary == null || !summary.succeeded() || summary.outputs() == null) {
            throw new StoreException(StoreException.REJECTED, layout.location(layout.summaryKey())
                    + " is not a build summary of stored outputs");
        }
        return summary;
    }

    /** The upload ids are read from the grant Secret, but only for the keys this build was granted. */
    private void finishUploads(String namespace, BuildStatus build, BuildLayout layout, S3Access s3) {
        Secret secret;
        try {
            secret = clients.kubernetes().secrets().inNamespace(namespace)
                    .withName(GrantIssuer.secretName(build.pod)).get();
        } catch (KubernetesClientException e) {
            throw new StoreException(StoreException.UNREACHABLE, "cannot read the grants of " + build.pod + ": "
                    + e.getMessage(), e);
        }
        if (secret == null || secret.getData() == null || secret.getData().get(UploadGrants.FILE) == null) {
            return; // outputs went up in single PUTs, or the pod is gone: the read-back decides
        }
        UploadGrants grants = UploadGrants.parse(new String(
                Base64.getDecoder().decode(secret.getData().get(UploadGrants.FILE)), StandardCharsets.UTF_8));
        for (var e : grants.files().entrySet()) {
            UploadGrants.Grant g = e.getValue();
            if (g.multipart() != null && g.multipart().uploadId() != null
                    && Objects.equals(layout.outputs().get(e.getKey()), g.key())) {
                s3.finishMultipartUpload(g.key(), g.multipart().uploadId());
            }
        }
    }
}
