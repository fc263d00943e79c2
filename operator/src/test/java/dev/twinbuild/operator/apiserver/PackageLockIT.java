package dev.twinbuild.operator.apiserver;

import dev.twinbuild.api.v1alpha1.Layer;
import dev.twinbuild.api.v1alpha1.PackageLockRef;
import dev.twinbuild.api.v1alpha1.PackagesLayer;
import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.BuilderPods;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.pods.PackageLockMount;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lock of a packages layer against a real kube-apiserver: without spec.packageLock the SystemImage is
 * Failed at once; with a ConfigMap that is not there it is Stalled (PackageLockNotFound) without pods, and
 * builds start once the ConfigMap exists, each pod mounting it read-only and told where it is — the operator
 * passes names, never the lock. The admin's package mirror reaches the pods as a flag.
 */
class PackageLockIT {
    private static final Duration WAIT = Duration.ofSeconds(40);
    @RegisterExtension
    static final KubeApi API = KubeApi.namespacePerTest("lock-");
    @RegisterExtension
    final RunningOperator operator = new RunningOperator(API);

    private String ns;

    @BeforeEach
    void start() {
        ns = API.namespace();
        OperatorSettings settings = OperatorSettings.defaults().withDefaultStore(Fixtures.pvcStore())
                .withTiming(3, Duration.ofSeconds(1), Duration.ofSeconds(60))
                .withPackageMirror("http://mirror.internal:8080/debian");
        operator.start(settings, new SimpleMeterRegistry(), 1L << 20);
    }

    @Test
    void aMissingConfigMapStallsTheImageUntilItIsCreated() {
        create("live", true);
        Poll.until(WAIT, () -> "PackageLockNotFound".equals(reason(status("live"), "Stalled")));
        SystemImageStatus s = status("live");
        assertThat(condition(s, "Stalled").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Stalled").getMessage())
                .startsWith("spec.packageLock.configMapRef: ConfigMap live-lock not found in namespace " + ns)
                .contains("kubectl -n " + ns + " create configmap live-lock --from-file=lock.json=FILE.lock.json");
        assertThat(condition(s, "Reconciling").getStatus()).isEqualTo("False");
        assertThat(pods("live")).isEmpty();

        API.client().configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("live-lock")
                .endMetadata().withData(Map.of("lock.json", "{}")).build()).create();
        Poll.until(WAIT, () -> pods("live").size() == 2);
        for (Pod p : pods("live")) {
            Volume v = p.getSpec().getVolumes().stream().filter(x -> PackageLockMount.VOLUME.equals(x.getName()))
                    .findFirst().orElseThrow();
            assertThat(v.getConfigMap().getName()).isEqualTo("live-lock");
            assertThat(v.getConfigMap().getItems()).singleElement()
                    .satisfies(i -> assertThat(i.getKey() + "→" + i.getPath()).isEqualTo("lock.json→lock.json"));
            Container c = BuilderPods.buildContainer(p);
            assertThat(c.getVolumeMounts()).anySatisfy(m -> {
                assertThat(m.getName()).isEqualTo(PackageLockMount.VOLUME);
                assertThat(m.getMountPath()).isEqualTo(PackageLockMount.DIR);
                assertThat(m.getReadOnly()).isTrue();
            });
            assertThat(String.join(" ", c.getCommand()))
                    .contains("--package-lock " + PackageLockMount.DIR + "/lock.json")
                    .contains("--package-mirror http://mirror.internal:8080/debian");
        }
    }

    @Test
    void aPackagesLayerWithoutLockFailsAtOnce() {
        create("unlocked", false);
        Poll.until(WAIT, () -> status("unlocked").phase == Phase.Failed);
        SystemImageStatus s = status("unlocked");
        assertThat(reason(s, "Stalled")).isEqualTo("PackageLockMissing");
        assertThat(condition(s, "Stalled").getMessage()).startsWith("spec.packageLock.configMapRef: a packages layer "
                + "needs its lock in the cluster");
        assertThat(pods("unlocked")).isEmpty();
    }

    private void create(String name, boolean locked) {
        SystemImage si = Fixtures.systemImage(name, 2);
        si.getMetadata().setNamespace(ns);
        si.getMetadata().setUid(null);
        si.getMetadata().setGeneration(null);
        Layer layer = new Layer();
        layer.packages = new PackagesLayer();
        layer.packages.suite = "bookworm";
        layer.packages.packages = List.of("systemd-sysv");
        si.getSpec().layers = List.of(layer, si.getSpec().layers.get(0));
        if (locked) {
            si.getSpec().packageLock = new PackageLockRef();
            si.getSpec().packageLock.sha256 = "ab".repeat(32);
            si.getSpec().packageLock.configMapRef = new PackageLockRef.ConfigMapKey();
            si.getSpec().packageLock.configMapRef.name = name + "-lock";
            si.getSpec().packageLock.configMapRef.key = "lock.json";
        }
        API.client().resource(si).create();
    }

    private SystemImageStatus status(String name) {
        SystemImage si = API.client().resources(SystemImage.class).inNamespace(ns).withName(name).get();
        return si.getStatus() == null ? new SystemImageStatus() : si.getStatus();
    }

    private List<Pod> pods(String name) {
        return API.client().pods().inNamespace(ns).withLabel(Names.LABEL_IMAGE, name).list().getItems();
    }

    private static String reason(SystemImageStatus s, String type) {
        return s.conditions.stream().filter(c -> type.equals(c.getType())).map(Condition::getReason).findFirst()
                .orElse(null);
    }

    private static Condition condition(SystemImageStatus s, String type) {
        return s.conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }
}
