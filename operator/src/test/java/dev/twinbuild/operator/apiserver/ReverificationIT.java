package dev.twinbuild.operator.apiserver;

import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.api.v1alpha1.VerificationRecord;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.config.ReverifySettings;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.policy.TenantPolicy;
import dev.twinbuild.operator.status.Conditions;
import dev.twinbuild.operator.store.BuildLayout;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.store.Sha256;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Re-verification against a real kube-apiserver, the test playing scheduler and kubelet: an interval
 * starts rounds by itself, the annotation starts one and is echoed, Ready stays True through passing
 * rounds (sampled), the history stays bounded, old rounds' pods go, and builds whose digests changed are
 * caught as RegressionOnReverify without a rebuild of the first round.
 */
class ReverificationIT {
    private static final String NS = "reverify";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS_RESTART = "reverify-restart";
    @RegisterExtension
    static final KubeApi API = KubeApi.namespaces(NS, NS_RESTART);
    @RegisterExtension
    static final Figures FIGURES = new Figures("twinbuild-figures-reverification.txt", "ReverificationIT");
    @RegisterExtension
    final RunningOperator operator = new RunningOperator(API);

    private final List<String> readySamples = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> content = new AtomicReference<>("same");
    private final java.util.concurrent.atomic.AtomicBoolean paused = new java.util.concurrent.atomic.AtomicBoolean();
    private ScheduledExecutorService kubeletLoop;

    /** Before the operator stops (RunningOperator, after each test). */
    @AfterEach
    void stopKubelet() {
        if (kubeletLoop != null) {
            kubeletLoop.shutdownNow();
        }
    }

    @Test
    void roundsOnIntervalAndAnnotationKeepReadyAndCatchARegression() {
        FakeKubelet kubelet = new FakeKubelet(API.client(), NS);
        kubelet.nodes("node-a", "node-b", "node-c");
        OperatorSettings settings = OperatorSettings.defaults()
                .withPolicy(new TenantPolicy(List.of(), true, List.of(), true, List.of()))
                .withDefaultStore(Fixtures.pvcStore());
        // A test minimum of 1 s (the default is 1h, Helm verification.minInterval); jitter at most 1 s.
        operator.start(settings, new ReverifySettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 4),
                new SimpleMeterRegistry(), 1L << 20, NS);

        SystemImage si = Fixtures.systemImage("again", 2);
        si.getMetadata().setNamespace(NS);
        si.getMetadata().setUid(null);
        si.getMetadata().setGeneration(null);
        si.getSpec().verification.interval = "3s";
        si = API.client().resource(si).create();
        SystemImage created = si;
        kubeletLoop = Executors.newSingleThreadScheduledExecutor();
        kubeletLoop.scheduleWithFixedDelay(() -> playBuilds(kubelet, created), 0, 100, TimeUnit.MILLISECONDS);

        Poll.until(WAIT, () -> status().phase == Phase.Reproducible);
        SystemImageStatus verdict = status();
        String hash = verdict.specHash;
        assertThat(hash).isEqualTo(Names.specHash(si.getSpec()));
        kubeletLoop.scheduleWithFixedDelay(() -> readySamples.add(
                String.valueOf(Conditions.status(status().conditions, Conditions.READY))), 0, 200, TimeUnit.MILLISECONDS);

        // Two rounds on the interval alone.
        Poll.until(WAIT, () -> status().verifications.size() >= 2);
        SystemImageStatus s = status();
        assertThat(s.verifications).allSatisfy(r -> {
            assertThat(r.trigger).isEqualTo("Interval");
            assertThat(r.result).isEqualTo(VerificationRecord.PASSED);
            assertThat(r.digests).hasSize(2);
            assertThat(r.nodes).contains(",");
        });
        assertThat(s.lastVerificationTime).isNotNull();
        assertThat(s.nextVerificationTime).isNotNull();
        assertThat(s.specHash).isEqualTo(hash);
        Pod roundPod = builderPods().stream().filter(p -> p.getMetadata().getName().contains("-r")).findFirst()
                .orElseThrow();
        assertThat(roundPod.getMetadata().getName()).matches("again-" + hash + "-r[0-9]+-b[01]");
        assertThat(roundPod.getSpec().getAffinity().getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .as("each build prefers another node than its index used in the round before").singleElement()
                .satisfies(t -> assertThat(t.getPreference().getMatchExpressions().get(0).getOperator()).isEqualTo("NotIn"));

        // The annotation starts one now, and is echoed once handled.
        API.client().resources(SystemImage.class).inNamespace(NS).withName("again")
                .edit(x -> {
                    Map<String, String> a = new java.util.TreeMap<>(x.getMetadata().getAnnotations() == null
                            ? Map.of() : x.getMetadata().getAnnotations());
                    a.put("twinbuild.dev/reverify-requested-at", "manual-1");
                    x.getMetadata().setAnnotations(a);
                    return x;
                });
        Poll.until(WAIT, () -> status().verifications.stream().anyMatch(r -> "Annotation".equals(r.trigger)));
        assertThat(status().lastHandledReverifyAt).isEqualTo("manual-1");

        // The history keeps the last 10; older rounds' pods are gone, the first round's stay.
        Poll.until(Duration.ofSeconds(120), () -> status().reverification.round >= 12
                && !status().reverification.running());
        s = status();
        assertThat(s.verifications).hasSize(10);
        assertThat(s.verifications.get(0).round).isEqualTo(s.reverification.round - 9);
        List<String> live = builderPods().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .map(p -> p.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH)).distinct().sorted().toList();
        FIGURES.add("spec-hash labels of the live builder pods after round " + s.reverification.round + ": " + live);
        assertThat(live).hasSizeLessThanOrEqualTo(3).contains(hash);
        assertThat(readySamples).as("Ready through passing rounds").isNotEmpty().containsOnly("True");
        FIGURES.add("Ready samples through " + s.reverification.round + " passing rounds: " + readySamples.size()
                + ", all True");

        // A tool's output changes (the spec does not): the next round is caught.
        content.set("changed");
        Poll.until(WAIT, () -> VerificationRecord.REGRESSION.equals(last(status()).result));
        s = status();
        assertThat(s.specHash).isEqualTo(hash);
        assertThat(Conditions.status(s.conditions, Conditions.REPRODUCIBLE)).isEqualTo("False");
        assertThat(Conditions.reason(s.conditions, Conditions.REPRODUCIBLE)).isEqualTo("RegressionOnReverify");
        assertThat(Conditions.status(s.conditions, Conditions.READY)).isEqualTo("False");
        assertThat(Conditions.status(s.conditions, Conditions.STALLED)).isEqualTo("True");
        assertThat(s.phase).isEqualTo(Phase.Unreproducible);
        VerificationRecord r = last(s);
        assertThat(r.changes).extracting(c -> c.file).contains("again.tar", "again.tar.gz");
        assertThat(r.changes).allSatisfy(c -> {
            assertThat(c.recorded).isEqualTo(digest("same", c.file));
            assertThat(c.found).isEqualTo(digest("changed", c.file));
        });
        String message = s.conditions.stream().filter(c -> "Reproducible".equals(c.getType())).findFirst()
                .orElseThrow().getMessage();
        assertThat(message).contains("again.tar", digest("same", "again.tar").substring(0, 12),
                digest("changed", "again.tar").substring(0, 12));
        FIGURES.add("regression message: " + message);
        assertThat(s.builds).as("the first round is not rebuilt").allSatisfy(b -> assertThat(b.attempts).isEqualTo(1));
    }

    /**
     * With at most one round at once, two requested rounds: one runs, the other waits (Verifying=False,
     * Waiting). The operator restarts mid-round: the new one resumes the same pods (same UIDs, attempt 1)
     * and records the round once; then the waiting one runs.
     */
    @Test
    void aRestartedOperatorResumesTheRoundAndTheCapMakesOthersWait() {
        String ns = NS_RESTART;
        FakeKubelet kubelet = new FakeKubelet(API.client(), ns);
        kubelet.nodes("node-a", "node-b", "node-c");
        OperatorSettings settings = OperatorSettings.defaults()
                .withPolicy(new TenantPolicy(List.of(), true, List.of(), true, List.of()))
                .withDefaultStore(Fixtures.pvcStore());
        ReverifySettings oneAtATime = new ReverifySettings(Duration.ofSeconds(1), Duration.ofSeconds(1), 1);
        operator.start(settings, oneAtATime, new SimpleMeterRegistry(), 1L << 20, ns);
        kubeletLoop = Executors.newSingleThreadScheduledExecutor();
        for (String name : List.of("one", "two")) {
            SystemImage si = Fixtures.systemImage(name, 2);
            si.getMetadata().setNamespace(ns);
            si.getMetadata().setUid(null);
            si.getMetadata().setGeneration(null);
            si.getSpec().verification.interval = "1h"; // only the annotation starts a round here
            SystemImage created = API.client().resource(si).create();
            kubeletLoop.scheduleWithFixedDelay(() -> playBuilds(kubelet, created), 0, 100, TimeUnit.MILLISECONDS);
        }
        Poll.until(WAIT, () -> status(ns, "one").phase == Phase.Reproducible && status(ns, "two").phase == Phase.Reproducible);

        paused.set(true);
        for (String name : List.of("one", "two")) {
            API.client().resources(SystemImage.class).inNamespace(ns).withName(name).edit(x -> {
                x.getMetadata().setAnnotations(Map.of("twinbuild.dev/reverify-requested-at", "restart-1"));
                return x;
            });
        }
        Poll.until(WAIT, () -> List.of("one", "two").stream().anyMatch(n -> round(ns, n).size() == 2)
                && List.of("one", "two").stream().anyMatch(n -> "Waiting".equals(
                Conditions.reason(status(ns, n).conditions, "Verifying"))));
        String running = round(ns, "one").size() == 2 ? "one" : "two";
        String waiting = running.equals("one") ? "two" : "one";
        assertThat(round(ns, waiting)).as("over the cap: no pod").isEmpty();
        assertThat(Conditions.status(status(ns, waiting).conditions, "Verifying")).isEqualTo("False");
        // The round's pods are recorded in the status (the restart comes after that write).
        Poll.until(WAIT, () -> status(ns, running).reverification != null && status(ns, running).reverification.builds
                .stream().filter(b -> b.podUid != null).count() == 2);
        List<String> uids = status(ns, running).reverification.builds.stream().map(b -> b.podUid).sorted().toList();
        assertThat(round(ns, running).stream().map(p -> p.getMetadata().getUid()).sorted().toList()).isEqualTo(uids);

        operator.stop();
        operator.start(settings, oneAtATime, new SimpleMeterRegistry(), 1L << 20, ns);
        paused.set(false);
        Poll.until(WAIT, () -> status(ns, running).verifications.size() == 1);
        SystemImageStatus s = status(ns, running);
        assertThat(s.verifications.get(0).result).isEqualTo(VerificationRecord.PASSED);
        assertThat(s.reverification.builds).allSatisfy(b -> assertThat(b.attempts).isEqualTo(1));
        assertThat(round(ns, running).stream().map(p -> p.getMetadata().getUid()).sorted().toList())
                .as("the restarted operator resumed the round's pods, it did not make new ones").isEqualTo(uids);
        // The waiting one runs once the slot is free (it looks again every 30 s).
        Poll.until(Duration.ofSeconds(90), () -> status(ns, waiting).verifications.size() == 1);
        assertThat(status(ns, waiting).lastHandledReverifyAt).isEqualTo("restart-1");
        assertThat(status(ns, running).verifications).hasSize(1);
    }

    /** The builder pods of an image's re-verification rounds. */
    private static List<Pod> round(String ns, String name) {
        return builderPods(ns, name).stream().filter(p -> p.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH)
                .contains("-r")).toList();
    }

    private static VerificationRecord last(SystemImageStatus s) {
        return s.verifications.isEmpty() ? new VerificationRecord() : s.verifications.get(s.verifications.size() - 1);
    }

    private SystemImageStatus status() {
        return status(NS, "again");
    }

    private static SystemImageStatus status(String ns, String name) {
        SystemImage si = API.client().resources(SystemImage.class).inNamespace(ns).withName(name).get();
        return si.getStatus() == null ? new SystemImageStatus() : si.getStatus();
    }

    private List<Pod> builderPods() {
        return builderPods(NS, "again");
    }

    private static List<Pod> builderPods(String ns, String name) {
        return API.client().pods().inNamespace(ns).withLabel(Names.LABEL_IMAGE, name)
                .withLabel(Names.LABEL_COMPONENT, "builder").list().getItems();
    }

    /** Scheduler and kubelet: every new builder pod is bound, run, and ends with outputs from {@link #content}. */
    private void playBuilds(FakeKubelet kubelet, SystemImage si) {
        if (paused.get()) {
            return;
        }
        try {
            for (Pod p : builderPods(si.getMetadata().getNamespace(), si.getMetadata().getName())) {
                if (p.getSpec().getNodeName() != null || p.getMetadata().getDeletionTimestamp() != null) {
                    continue;
                }
                String name = p.getMetadata().getName();
                kubelet.schedule(name, List.of("node-a", "node-b", "node-c"));
                kubelet.run(name);
                kubelet.terminate(name, 0, summary(si, p, content.get()));
            }
        } catch (RuntimeException e) {
            // the next tick tries again (a pod deleted under us, a conflict)
        }
    }

    private static String summary(SystemImage si, Pod pod, String content) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        BuildLayout layout = BuildLayout.of(si, labels.get(Names.LABEL_SPEC_HASH), Fixtures.pvcStore(),
                Integer.parseInt(labels.get(Names.LABEL_BUILD_INDEX)));
        List<BuildSummary.Output> outputs = new ArrayList<>();
        for (Output o : si.getSpec().outputs) {
            for (String file : o.fileNames(si.getMetadata().getName())) {
                outputs.add(new BuildSummary.Output(o.format.value(), file, digest(content, file), 10,
                        layout.location(layout.outputs().get(file))));
            }
        }
        return BuildSummary.success(outputs, layout.recordLocation()).toTerminationMessage();
    }

    private static String digest(String content, String file) {
        return Sha256.hex((content + "/" + file).getBytes(StandardCharsets.UTF_8));
    }
}
