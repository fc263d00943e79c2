package dev.twinbuild.operator.apiserver;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.S3Store;
import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.BuilderPods;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.policy.TenantPolicy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin's policy against a real kube-apiserver: a refused SystemImage is Failed with Stalled=True and
 * a reason naming the setting, gets an event under that reason, and has no pods — also when the policy is
 * tightened while it builds; lifting the policy lets it build.
 */
class TenantPolicyIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final KubeApi API = KubeApi.namespacePerTest("policy-");
    @RegisterExtension
    final RunningOperator operator = new RunningOperator(API);

    private String ns;

    @BeforeEach
    void namespace() {
        ns = API.namespace();
    }

    private void startOperator(TenantPolicy policy) {
        operator.stop();
        ArtifactStore own = s3("http://s3.twinbuild-system.svc:9000", "twinbuild");
        OperatorSettings settings = OperatorSettings.defaults().withDefaultStore(own)
                .withTiming(3, Duration.ofSeconds(1), Duration.ofSeconds(60)).withPolicy(policy);
        operator.start(settings, new SimpleMeterRegistry(), 1L << 20);
    }

    private void create(String name, Consumer<SystemImage> change) {
        SystemImage si = Fixtures.systemImage(name, 2);
        si.getMetadata().setNamespace(ns);
        si.getMetadata().setUid(null);
        si.getMetadata().setGeneration(null);
        change.accept(si);
        API.client().resource(si).create();
    }

    private SystemImageStatus status(String name) {
        SystemImage si = API.client().resources(SystemImage.class).inNamespace(ns).withName(name).get();
        return si.getStatus() == null ? new SystemImageStatus() : si.getStatus();
    }

    private List<Pod> pods(String name) {
        return API.client().pods().inNamespace(ns).withLabel(Names.LABEL_IMAGE, name).list().getItems();
    }

    private static Condition condition(SystemImageStatus s, String type) {
        return s.conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }

    /** Waits for the refusal and checks all it must leave behind; returns the Stalled message. */
    private String awaitRefused(String name, String reason) {
        Poll.until(WAIT, () -> status(name).phase == Phase.Failed);
        SystemImageStatus s = status(name);
        Condition stalled = condition(s, "Stalled");
        assertThat(stalled.getStatus()).isEqualTo("True");
        assertThat(stalled.getReason()).isEqualTo(reason);
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Reconciling").getStatus()).isEqualTo("False");
        assertThat(s.observedGeneration).isEqualTo(1L);
        assertThat(s.builds).isEmpty();
        Poll.until(WAIT, () -> API.client().v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> reason.equals(e.getReason()) && name.equals(e.getInvolvedObject().getName())));
        Event event = API.client().v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).findFirst().orElseThrow();
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getMessage()).isEqualTo(stalled.getMessage());
        Poll.until(WAIT, () -> pods(name).isEmpty());
        return stalled.getMessage();
    }

    @Test
    void forbiddenBuilderImageAndStoresAreRefusedWithoutPods() {
        startOperator(TenantPolicy.closed());
        create("image", si -> si.getSpec().builderImage = "docker.io/library/alpine:3.20");
        create("s3", si -> si.getSpec().store = s3("http://169.254.169.254", "latest"));
        create("pvc", si -> si.getSpec().store = Fixtures.pvcStore());

        assertThat(awaitRefused("image", "BuilderImageNotAllowed"))
                .contains("spec.builderImage \"docker.io/library/alpine:3.20\"").contains("policy.builderImages");
        assertThat(awaitRefused("s3", "StoreNotAllowed")).contains("spec.store.s3").contains("policy.stores.s3");
        assertThat(awaitRefused("pvc", "PvcStoreNotAllowed")).contains("spec.store.pvc")
                .contains("policy.stores.pvc.allowed");
        // Nothing was prepared for a build either.
        assertThat(API.client().configMaps().inNamespace(ns).withLabel(Names.LABEL_MANAGED_BY, Names.MANAGED_BY).list()
                .getItems()).isEmpty();
    }

    @Test
    void aTightenedPolicyStopsBuildsAndALiftedOneStartsThem() {
        String tenantImage = "registry.example/team-a/builder@sha256:" + "ab".repeat(32);
        // A PVC store: the operator's S3 store here is only a name (no server to create upload grants on).
        TenantPolicy open = new TenantPolicy(List.of("registry.example/team-a/*"), true, List.of(), true, List.of());
        startOperator(open);
        create("tenant", si -> {
            si.getSpec().builderImage = tenantImage;
            si.getSpec().store = Fixtures.pvcStore();
        });
        Poll.until(WAIT, () -> pods("tenant").size() == 2);
        // The tenant's image builds; the upload container, which holds the store, stays the operator's.
        assertThat(pods("tenant")).allSatisfy(p -> {
            assertThat(BuilderPods.buildContainer(p).getImage()).isEqualTo(tenantImage);
            assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo(OperatorSettings.defaults().builderImage());
        });

        // The admin removes the allowance: the running builds go, the SystemImage says why.
        startOperator(new TenantPolicy(List.of(), true, List.of(), true, List.of()));
        assertThat(awaitRefused("tenant", "BuilderImageNotAllowed")).contains(tenantImage);

        // ... and grants it again: the refusal is re-examined although the spec did not change.
        startOperator(open);
        Poll.until(WAIT, () -> pods("tenant").size() == 2);
        Poll.until(WAIT, () -> status("tenant").phase == Phase.Pending);
        assertThat(condition(status("tenant"), "Stalled").getStatus()).isEqualTo("False");
    }

    private static ArtifactStore s3(String endpoint, String bucket) {
        ArtifactStore store = new ArtifactStore();
        store.s3 = new S3Store();
        store.s3.endpoint = endpoint;
        store.s3.bucket = bucket;
        store.s3.credentialsSecret = "s3";
        return store;
    }
}
