package dev.twinbuild.operator.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * Registry credentials for OCI layers: the imagePullSecrets of the builder pods' service account in the
 * SystemImage's own namespace — the namespace's own registry credentials — mounted read-only into the
 * builder pod, where the pipeline reads them (TWINBUILD_REGISTRY_AUTH). The operator passes names only:
 * it never reads a tenant Secret's content, and a pod can only mount Secrets of its own namespace.
 */
public final class RegistryAuthMounts {
    public static final String DIR = "/etc/twinbuild/registry-auth";
    public static final String ENV = "TWINBUILD_REGISTRY_AUTH";
    /** Bounds the pod spec whatever a service account lists. */
    public static final int MAX_SECRETS = 16;

    private RegistryAuthMounts() {
    }

    /** @param secrets Secret names (kubernetes.io/dockerconfigjson or dockercfg), in a stable order */
    public static Pod add(Pod pod, List<String> secrets) {
        if (secrets.isEmpty()) {
            return pod;
        }
        Container c = BuilderPods.buildContainer(pod); // OCI layers are pulled by the build
        List<String> names = secrets.stream().distinct().sorted().limit(MAX_SECRETS).toList();
        for (int i = 0; i < names.size(); i++) {
            String volume = "registry-auth-" + i;
            pod.getSpec().getVolumes().add(new VolumeBuilder().withName(volume).withNewSecret()
                    .withSecretName(names.get(i))
                    // A missing Secret must not keep the build from starting: the pull then says what is missing.
                    .withOptional(true)
                    .withDefaultMode(0440).endSecret().build());
            c.getVolumeMounts().add(new VolumeMountBuilder().withName(volume).withMountPath(DIR + "/" + names.get(i))
                    .withReadOnly(true).build());
        }
        List<EnvVar> env = new ArrayList<>(c.getEnv());
        env.add(new EnvVar(ENV, DIR, null));
        c.setEnv(env);
        return pod;
    }
}
