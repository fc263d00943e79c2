package dev.twinbuild.operator.store;

import dev.twinbuild.store.UploadGrants;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issues a build's upload grants: a presigned PUT per file of its {@link BuildLayout}, and for outputs a
 * multipart upload with presigned parts up to the largest file the build can make (its work volume).
 * The grants go into a Secret owned by the builder pod, so they are deleted with it.
 */
public final class GrantIssuer {
    public static final String SECRET_SUFFIX = "-grants";
    static final int MAX_PARTS = 10_000;
    /**
     * Presigned parts per build, shared by its outputs: a URL is under 1 KiB, and the Secret holding
     * them must stay well below the API server's 1 MiB. Larger work volumes get larger parts.
     */
    static final int PARTS_PER_BUILD = 400;
    private static final long MAX_PART = 5L << 30;

    private final StoreClients clients;

    public GrantIssuer(StoreClients clients) {
        this.clients = clients;
    }

    public static String secretName(String podName) {
        return podName + SECRET_SUFFIX;
    }

    /**
     * @param maxObjectSize the largest file the build can produce (its work volume's size limit)
     * @param ttl           how long the grants are valid: the build's timeout and a margin
     */
    public UploadGrants issue(String namespace, BuildLayout layout, long maxObjectSize, Duration ttl, Instant now) {
        S3Access s3 = clients.s3(namespace, layout.store());
        int budget = Math.max(4, PARTS_PER_BUILD / Math.max(1, layout.outputs().size()));
        long partSize = partSize(clients.settings().partSize(), maxObjectSize, budget);
        int parts = (int) Math.min(MAX_PARTS, Math.max(1, (maxObjectSize + partSize - 1) / partSize));
        Map<String, UploadGrants.Grant> files = new LinkedHashMap<>();
        for (Map.Entry<String, String> o : layout.outputs().entrySet()) {
            String key = o.getValue();
            UploadGrants.Multipart mp = null;
            if (maxObjectSize > partSize) {
                String uploadId = s3.createMultipartUpload(key);
                mp = new UploadGrants.Multipart(uploadId, partSize, s3.presignParts(key, uploadId, parts, ttl));
            }
            files.put(o.getKey(), new UploadGrants.Grant(key, layout.location(key), s3.presignPut(key, ttl), mp));
        }
        String rec = layout.recordKey();
        files.put(dev.twinbuild.store.Stores.RECORD_FILE,
                new UploadGrants.Grant(rec, layout.location(rec), s3.presignPut(rec, ttl), null));
        String summary = layout.summaryKey();
        files.put(dev.twinbuild.store.Stores.SUMMARY_FILE,
                new UploadGrants.Grant(summary, layout.location(summary), s3.presignPut(summary, ttl), null));
        return new UploadGrants(s3.bucket(), now.plus(ttl).toString(), files);
    }

    /** The configured part size, or larger (whole MiB) so that {@code budget} parts cover {@code maxObjectSize}. */
    static long partSize(long configured, long maxObjectSize, int budget) {
        long needed = (maxObjectSize + budget - 1) / budget;
        long mib = 1L << 20;
        needed = (needed + mib - 1) / mib * mib;
        return Math.min(MAX_PART, Math.max(configured, needed));
    }

    /** The Secret holding the grants, owned by (and so deleted with) the pod they were issued for. */
    public static Secret secret(Pod pod, UploadGrants grants, Map<String, String> labels) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(secretName(pod.getMetadata().getName()))
                .withNamespace(pod.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
                        .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(false).build()))
                .endMetadata()
                .withType("Opaque")
                .withImmutable(true)
                .withStringData(Map.of(UploadGrants.FILE, grants.toJson()))
                .build();
    }
}
