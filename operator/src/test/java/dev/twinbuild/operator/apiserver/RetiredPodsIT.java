package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.policy.TenantPolicy;
import dev.twinbuild.operator.store.BuildLayout;
import dev.twinbuild.store.BuildSummary;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's memory follows the builds that run, not the SystemImages there are: once a verdict is written
 * its pods leave the operator's pod cache (label twinbuild.dev/retired) but stay in the cluster; no build is
 * repeated, also not by a restarted operator, which reads the verdicts from the status alone; a new spec still
 * removes the old spec's (retired) pods.
 */
class RetiredPodsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NS = "retired";
    private static final int IMAGES = 6;
    @RegisterExtension
    static final KubeApi API = KubeApi.namespaces(NS);
    @RegisterExtension
    static final Figures FIGURES = new Figures("twinbuild-figures-retired-pods.txt", "RetiredPodsIT");
    @RegisterExtension
    final RunningOperator operator = new RunningOperator(API);

    private SimpleMeterRegistry registry;

    private void start() {
        registry = new SimpleMeterRegistry();
        OperatorSettings settings = OperatorSettings.defaults()
                .withPolicy(new TenantPolicy(List.of(), true, List.of(), true, List.of()))
                .withTiming(3, Duration.ofSeconds(1), Duration.ofSeconds(2));
        operator.start(settings, registry, 1L << 20);
    }

    private SystemImage create(String name) {
        SystemImage si = Fixtures.systemImage(name, 2);
        si.getMetadata().setNamespace(NS);
        si.getMetadata().setUid(null);
        si.getMetadata().setGeneration(null);
        si.getSpec().store = Fixtures.pvcStore();
        return API.client().resource(si).create();
    }

    private List<Pod> pods(String name) {
        return API.client().pods().inNamespace(NS).withLabel(Names.LABEL_IMAGE, name).list().getItems().stream()
                .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName())).toList();
    }

    private SystemImageStatus status(String name) {
        SystemImage si = API.client().resources(SystemImage.class).inNamespace(NS).withName(name).get();
        return si.getStatus() == null ? new SystemImageStatus() : si.getStatus();
    }

    /** The pods in the running operator's pod informer cache. */
    @SuppressWarnings("unchecked")
    private List<Pod> cachedPods() {
        var source = (InformerEventSource<Pod, SystemImage>) operator.controller().getEventSourceManager()
                .getEventSourceFor(Pod.class);
        return source.list().toList();
    }

    /** The SystemImages in the running operator's primary informer cache. */
    private List<SystemImage> cachedImages() {
        return operator.controller().getEventSourceManager().getControllerEventSource().list().toList();
    }

    private static int jsonBytes(List<? extends HasMetadata> objects) {
        return objects.stream().mapToInt(o -> Serialization.asJson(o).length()).sum();
    }

    /** Plays the builder of a PVC store: the outputs where the operator put them, with equal digests. */
    private void succeed(SystemImage si, Pod pod) {
        int index = Integer.parseInt(pod.getMetadata().getLabels().get(Names.LABEL_BUILD_INDEX));
        BuildLayout layout = BuildLayout.of(si, pod.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH),
                Fixtures.pvcStore(), index);
        List<BuildSummary.Output> outputs = new ArrayList<>();
        layout.outputs().keySet().forEach(file -> outputs.add(new BuildSummary.Output(
                file.endsWith(".tar.gz") ? "tar.gz" : "tar", file, "b".repeat(64), 10, layout.outputLocation(file))));
        FakeKubelet kubelet = new FakeKubelet(API.client(), NS);
        kubelet.schedule(pod.getMetadata().getName(), List.of("node-a", "node-b"));
        kubelet.run(pod.getMetadata().getName());
        kubelet.terminate(pod.getMetadata().getName(), 0,
                BuildSummary.success(outputs, layout.recordLocation()).toTerminationMessage());
    }

    @Test
    void podsOfWrittenVerdictsLeaveTheCacheAndAreNotRebuiltAfterARestart() {
        new FakeKubelet(API.client(), NS).nodes("node-a", "node-b");
        start();
        List<String> names = IntStream.range(0, IMAGES).mapToObj(i -> "done-" + i).toList();
        Map<String, SystemImage> images = new TreeMap<>();
        names.forEach(n -> images.put(n, create(n)));
        for (String n : names) {
            Poll.until(WAIT, () -> pods(n).size() == 2);
        }
        Poll.until(WAIT, () -> cachedPods().size() == 2 * IMAGES);
        // The cache keeps no managed fields (PrunedCache); the API server has them for every pod.
        List<Pod> served = names.stream().flatMap(n -> pods(n).stream()).toList();
        assertThat(served).allSatisfy(p -> assertThat(p.getMetadata().getManagedFields()).isNotEmpty());
        assertThat(cachedPods()).allSatisfy(p -> assertThat(p.getMetadata().getManagedFields()).isNull());
        FIGURES.add("pods in the operator's cache while " + IMAGES + " SystemImages build: " + cachedPods().size()
                + " (" + jsonBytes(cachedPods()) + " bytes as JSON without managedFields; the API server's copies: "
                + jsonBytes(served) + " bytes)");
        Map<String, List<String>> uids = new TreeMap<>();
        for (String n : names) {
            List<Pod> pods = pods(n);
            uids.put(n, pods.stream().map(p -> p.getMetadata().getUid()).toList());
            pods.forEach(p -> succeed(images.get(n), p));
        }
        for (String n : names) {
            Poll.until(WAIT, () -> status(n).phase == Phase.Reproducible);
        }
        // Verdicts written by server-side apply from a cache without managed fields: the API server records the
        // operator's status manager; the cached SystemImages, verdicts included, still have none.
        Poll.until(WAIT, () -> cachedImages().stream().filter(si -> si.getStatus() != null
                && si.getStatus().phase == Phase.Reproducible).count() == IMAGES);
        List<SystemImage> servedImages = API.client().resources(SystemImage.class).inNamespace(NS).list().getItems();
        assertThat(servedImages).allSatisfy(si -> assertThat(si.getMetadata().getManagedFields())
                .anySatisfy(m -> assertThat(m.getSubresource()).isEqualTo("status")));
        assertThat(cachedImages()).hasSize(IMAGES).allSatisfy(si -> {
            assertThat(si.getMetadata().getManagedFields()).isNull();
            assertThat(si.getMetadata().getResourceVersion()).isNotNull();
        });
        FIGURES.add(IMAGES + " SystemImages with their verdicts in the operator's cache: " + jsonBytes(cachedImages())
                + " bytes as JSON without managedFields; the API server's copies: " + jsonBytes(servedImages) + " bytes");

        // The verdicts are written: their pods leave the cache, and stay in the cluster (logs, inspection).
        long t0 = System.nanoTime();
        Poll.until(WAIT, () -> cachedPods().isEmpty());
        FIGURES.add("pods in the cache after the " + IMAGES + " verdicts: 0 (" + (System.nanoTime() - t0) / 1_000_000
                + " ms after the last verdict)");
        for (String n : names) {
            List<Pod> pods = pods(n);
            assertThat(pods).extracting(p -> p.getMetadata().getUid()).containsExactlyElementsOf(uids.get(n));
            assertThat(pods).allSatisfy(p -> assertThat(p.getMetadata().getLabels())
                    .containsEntry(Names.LABEL_RETIRED, "true"));
            assertThat(status(n).builds).allSatisfy(b -> assertThat(b.attempts).isEqualTo(1));
        }
        assertThat(registry.find("twinbuild.builds.started").counter().count()).isEqualTo(2.0 * IMAGES);
        Map<String, String> verdicts = new TreeMap<>();
        names.forEach(n -> verdicts.put(n, Serialization.asJson(status(n))));

        // A restarted operator does not see the retired pods, and the status alone tells it the builds are done.
        operator.stop();
        start();
        // It has reconciled once it has started the builds of an image created after it.
        create("witness");
        Poll.until(WAIT, () -> pods("witness").size() == 2);
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                names.stream().allMatch(n -> pods(n).stream().map(p -> p.getMetadata().getUid()).toList()
                        .equals(uids.get(n))));
        for (String n : names) {
            assertThat(Serialization.asJson(status(n))).as(n).isEqualTo(verdicts.get(n));
        }
        assertThat(registry.find("twinbuild.builds.started").counter().count()).as("only the witness's builds")
                .isEqualTo(2.0);
        assertThat(cachedPods()).extracting(p -> p.getMetadata().getLabels().get(Names.LABEL_IMAGE))
                .containsOnly("witness");
        FIGURES.add("after a restart: " + cachedPods().size() + " pods cached (the running witness's), "
                + IMAGES + " verdicts unchanged, 0 builds repeated");

        // A new spec: the old spec's retired pods (not in the cache) are deleted, the new spec builds.
        String changed = names.get(0);
        API.client().resources(SystemImage.class).inNamespace(NS).withName(changed)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"sourceDateEpoch\":1800000000}}");
        List<String> old = uids.get(changed);
        Poll.until(WAIT, () -> pods(changed).stream().filter(p -> old.contains(p.getMetadata().getUid()))
                .allMatch(p -> p.getMetadata().getDeletionTimestamp() != null)
                && pods(changed).stream().filter(p -> !old.contains(p.getMetadata().getUid())).count() == 2);
        String newHash = pods(changed).stream().filter(p -> !old.contains(p.getMetadata().getUid())).findFirst()
                .orElseThrow().getMetadata().getLabels().get(Names.LABEL_SPEC_HASH);
        // The pass that made the pods writes the status after them.
        Poll.until(WAIT, () -> newHash.equals(status(changed).specHash));
        assertThat(status(changed).phase).isNotIn(Phase.Reproducible, Phase.Unreproducible, Phase.Failed);
    }
}
