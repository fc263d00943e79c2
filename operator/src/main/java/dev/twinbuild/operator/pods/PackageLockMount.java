package dev.twinbuild.operator.pods;

import dev.twinbuild.api.v1alpha1.PackageLockRef;
import dev.twinbuild.api.v1alpha1.SystemImageSpec;
import dev.twinbuild.operator.config.OperatorSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * The lock of a SystemImage's packages layers in its builder pod: the ConfigMap {@code spec.packageLock} names
 * (in the pod's own namespace), mounted read-only. The operator never reads the lock; the builder checks its
 * bytes against {@code spec.packageLock.sha256}, which the spec hash covers. Also the admin's package mirror.
 */
public final class PackageLockMount {
    public static final String VOLUME = "package-lock";
    public static final String DIR = "/etc/twinbuild/package-lock";
    public static final String FILE = "lock.json";

    private PackageLockMount() {
    }

    public static Pod add(Pod pod, SystemImageSpec spec, OperatorSettings s) {
        if (spec.layers.stream().noneMatch(l -> l != null && l.packages != null)) {
            return pod;
        }
        Container c = BuilderPods.buildContainer(pod); // the steps' container: the upload needs no lock
        List<String> command = new ArrayList<>(c.getCommand());
        PackageLockRef ref = spec.packageLock;
        if (ref != null && ref.configMapRef != null) {
            pod.getSpec().getVolumes().add(new VolumeBuilder().withName(VOLUME).withNewConfigMap()
                    .withName(ref.configMapRef.name)
                    .withItems(new KeyToPath(ref.configMapRef.key, null, FILE))
                    .withDefaultMode(0444).withOptional(false).endConfigMap().build());
            c.getVolumeMounts().add(new VolumeMountBuilder().withName(VOLUME).withMountPath(DIR).withReadOnly(true)
                    .build());
            command.addAll(List.of("--package-lock", DIR + "/" + FILE));
        }
        if (s.packageMirror() != null) {
            command.addAll(List.of("--package-mirror", s.packageMirror()));
        }
        c.setCommand(command);
        return pod;
    }
}
