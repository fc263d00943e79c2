package dev.twinbuild.operator.reconciler;

import dev.twinbuild.api.v1alpha1.PackageLockRef;
import dev.twinbuild.api.v1alpha1.SystemImageSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.Optional;

/**
 * Before the first builder pod of a spec: its packages layers' lock must be there. A pod whose ConfigMap volume
 * is missing would wait in ContainerCreating without a word in its status; this says it at once. Only names
 * and keys are looked at, never the lock's content (the builder checks that against its sha256).
 */
final class PackageLockCheck {
    static final String MISSING = "PackageLockMissing";
    static final String NOT_FOUND = "PackageLockNotFound";

    /** @param permanent true when only a spec change helps; false when creating the ConfigMap will */
    record Problem(String reason, String message, boolean permanent) {
    }

    private PackageLockCheck() {
    }

    static Optional<Problem> check(KubernetesClient client, String namespace, SystemImageSpec spec) {
        if (spec.layers.stream().noneMatch(l -> l != null && l.packages != null)) {
            return Optional.empty();
        }
        PackageLockRef ref = spec.packageLock;
        if (ref == null || ref.configMapRef == null) {
            return Optional.of(new Problem(MISSING, "spec.packageLock.configMapRef: a packages layer needs its lock "
                    + "in the cluster: a ConfigMap of this namespace holding FILE.lock.json, named with its sha256 "
                    + "in spec.packageLock (twinbuild lock FILE.yaml prints both)", true));
        }
        String name = ref.configMapRef.name;
        String key = ref.configMapRef.key;
        ConfigMap cm = client.configMaps().inNamespace(namespace).withName(name).get();
        String create = " (kubectl -n " + namespace + " create configmap " + name + " --from-file=" + key
                + "=FILE.lock.json)";
        if (cm == null) {
            return Optional.of(new Problem(NOT_FOUND, "spec.packageLock.configMapRef: ConfigMap " + name
                    + " not found in namespace " + namespace + create, false));
        }
        boolean hasKey = cm.getData() != null && cm.getData().containsKey(key)
                || cm.getBinaryData() != null && cm.getBinaryData().containsKey(key);
        if (!hasKey) {
            return Optional.of(new Problem(NOT_FOUND, "spec.packageLock.configMapRef: ConfigMap " + name
                    + " has no key " + key + create, false));
        }
        return Optional.empty();
    }
}
