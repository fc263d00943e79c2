package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.api.v1alpha1.ReverificationRound;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.pods.Names;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.List;

/**
 * Takes a SystemImage's pods out of the operator's pod cache once its verdict (and its check) is written:
 * they get the label {@value Names#LABEL_RETIRED}, which the pod informer's selector excludes. The pods
 * stay in the cluster (logs, inspection; the SystemImage's deletion removes them), but the operator's memory
 * follows the builds that run, not every SystemImage there is.
 *
 * <p>From then on the status is the only record the operator reads: a final build or check is never looked
 * at again (BuildTracker, CheckRun), so a retired pod is not re-created, also not after a restart. What still
 * has to find retired pods (a spec change, a new re-verification round deleting older ones) lists them from
 * the API server ({@link #listed}).
 */
final class Retirement {
    /** The pod informer's selector: the operator's own pods that are not retired. */
    static final String SELECTOR = Names.LABEL_MANAGED_BY + "=" + Names.MANAGED_BY + ",!" + Names.LABEL_RETIRED;
    private static final Logger LOG = Logger.getLogger(Retirement.class);
    private static final String PATCH = "{\"metadata\":{\"labels\":{\"" + Names.LABEL_RETIRED + "\":\"true\"}}}";

    private Retirement() {
    }

    /**
     * Retires the cached pods of a SystemImage whose status, as written, holds the final verdict on its
     * spec with its check done; the pods of a running re-verification round stay.
     *
     * @param written the status the API server holds now (not one this pass failed to write)
     */
    static void retire(KubernetesClient client, SystemImage si, String hash, SystemImageStatus written,
                       Collection<Pod> pods) {
        if (written == null || written.phase == null || !written.phase.isFinal() || !hash.equals(written.specHash)
                || (written.check != null && !written.check.isFinal())) {
            return;
        }
        ReverificationRound round = written.reverification;
        String running = round != null && round.running() ? Names.roundHash(hash, round.round) : null;
        for (Pod pod : pods) {
            String label = pod.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH);
            if (pod.getMetadata().getDeletionTimestamp() != null || (running != null && running.equals(label))) {
                continue;
            }
            try {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .patch(PatchContext.of(PatchType.JSON_MERGE), PATCH);
            } catch (KubernetesClientException e) {
                // Gone: nothing to retire. Refused: it stays cached (memory only); the verdict is not touched.
                if (e.getCode() != 404) {
                    LOG.warnf("%s/%s: cannot retire pod %s: %s", si.getMetadata().getNamespace(),
                            si.getMetadata().getName(), pod.getMetadata().getName(), e.getMessage());
                }
            }
        }
    }

    /** All pods of the SystemImage, retired or not, from the API server (the cache holds only the unretired). */
    static List<Pod> listed(KubernetesClient client, SystemImage si) {
        return client.pods().inNamespace(si.getMetadata().getNamespace())
                .withLabel(Names.LABEL_IMAGE, Names.imageLabel(si.getMetadata().getName()))
                .withLabel(Names.LABEL_MANAGED_BY, Names.MANAGED_BY).list().getItems();
    }
}
