package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.config.QueueLimits;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.policy.TenantPolicy;
import dev.twinbuild.operator.status.Conditions;
import dev.twinbuild.store.BuildSummary;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build queue against a real kube-apiserver, with the operator watching two namespaces: SystemImages
 * over the limits get no pod and show Pending/Queued with their place; a namespace's burst does not push
 * back another namespace's SystemImage; a finished build lets the next one start at once (not at the next
 * refresh); a restarted operator counts what runs from the cluster.
 */
class BuildQueueIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /**
     * From a build pod's end to the next SystemImage's pods: the operator sees the pod, writes the verdict and
     * promotes the next in line at once (Admission counts the verdict it wrote before its cache shows it). Far
     * below the queued SystemImages' 30 s refresh, so a lost promotion fails here instead of hiding behind it.
     */
    private static final Duration PROMPTLY = Duration.ofSeconds(5);
    @RegisterExtension
    static final KubeApi API = KubeApi.namespaces("queue-a", "queue-b");
    @RegisterExtension
    static final Figures FIGURES = new Figures("twinbuild-figures-build-queue.txt", "BuildQueueIT");
    @RegisterExtension
    final RunningOperator operator = new RunningOperator(API);

    private void start() {
        OperatorSettings settings = OperatorSettings.defaults()
                .withPolicy(new TenantPolicy(List.of(), true, List.of(), true, List.of()))
                .withQueue(new QueueLimits(3, 2));
        operator.start(settings, new SimpleMeterRegistry(), 1L << 20, "queue-a", "queue-b");
    }

    private void create(String ns, String name) {
        SystemImage si = Fixtures.systemImage(name, 2);
        si.getMetadata().setNamespace(ns);
        si.getMetadata().setUid(null);
        si.getMetadata().setGeneration(null);
        si.getSpec().store = Fixtures.pvcStore();
        API.client().resource(si).create();
    }

    private List<Pod> pods(String ns, String name) {
        return API.client().pods().inNamespace(ns).withLabel(Names.LABEL_IMAGE, name).list().getItems().stream()
                .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName())).toList();
    }

    private SystemImageStatus status(String ns, String name) {
        SystemImage si = API.client().resources(SystemImage.class).inNamespace(ns).withName(name).get();
        return si.getStatus() == null ? new SystemImageStatus() : si.getStatus();
    }

    private void awaitBuilding(String ns, String name) {
        Poll.until(WAIT, () -> pods(ns, name).size() == 2 && status(ns, name).phase != null
                && status(ns, name).queuePosition == null);
    }

    private SystemImageStatus awaitQueued(String ns, String name, int position) {
        Poll.until(WAIT, () -> Integer.valueOf(position).equals(status(ns, name).queuePosition));
        SystemImageStatus s = status(ns, name);
        assertThat(s.phase).isEqualTo(Phase.Pending);
        assertThat(Conditions.reason(s.conditions, Conditions.RECONCILING)).isEqualTo("Queued");
        assertThat(Conditions.status(s.conditions, Conditions.RECONCILING)).as("kstatus: InProgress").isEqualTo("True");
        assertThat(Conditions.status(s.conditions, Conditions.STALLED)).isEqualTo("False");
        assertThat(pods(ns, name)).as("a queued SystemImage has no pods").isEmpty();
        return s;
    }

    /**
     * Ends the SystemImage's builds the quickest way: one fails (a verdict: Failed), the other is cancelled.
     *
     * @return System.nanoTime() when the failed build's pod ended
     */
    private long fail(String ns, String name) {
        FakeKubelet kubelet = new FakeKubelet(API.client(), ns);
        String pod = pods(ns, name).get(0).getMetadata().getName();
        kubelet.schedule(pod, List.of("node-a", "node-b"));
        kubelet.run(pod);
        kubelet.terminate(pod, 3, BuildSummary.failed("StepFailed", "step 'configure' exited 1").toTerminationMessage());
        return System.nanoTime();
    }

    /** Waits for the pods of the next in line; the time from the build's end is a figure and bounded. */
    private void awaitPromoted(String ns, String name, long ended, String after) {
        Poll.until(PROMPTLY, () -> pods(ns, name).size() == 2);
        long ms = (System.nanoTime() - ended) / 1_000_000;
        FIGURES.add(name + " started " + ms + " ms after " + after + " (bound " + PROMPTLY.toMillis() + " ms)");
        assertThat(ms).as(name + "'s promotion").isLessThanOrEqualTo(PROMPTLY.toMillis());
    }

    @Test
    void overTheLimitsSystemImagesWaitInTurnAndStartWhenASlotFrees() {
        new FakeKubelet(API.client(), "queue-a").nodes("node-a", "node-b");
        start();
        // Limits: 3 building cluster-wide, 2 per namespace.
        for (String name : List.of("a1", "a2", "a3")) {
            create("queue-a", name);
        }
        awaitBuilding("queue-a", "a1");
        awaitBuilding("queue-a", "a2");
        SystemImageStatus a3 = awaitQueued("queue-a", "a3", 1);
        assertThat(Conditions.reason(a3.conditions, Conditions.READY)).isEqualTo("Queued");
        FIGURES.add("a3 (namespace limit): " + a3.conditions.get(0).getMessage());
        assertThat(a3.conditions.get(0).getMessage())
                .contains("position 1 of 1 in the build queue", "2 of 3 SystemImages building", "2 of 2 in namespace queue-a");

        // The other namespace is not held up by queue-a's limit; then the cluster is full.
        create("queue-b", "b1");
        awaitBuilding("queue-b", "b1");
        create("queue-a", "a4");
        awaitQueued("queue-a", "a4", 2);
        // Fairness: b2 is younger than a3 and a4, but queue-b runs one build where queue-a runs two.
        create("queue-b", "b2");
        SystemImageStatus b2 = awaitQueued("queue-b", "b2", 1);
        FIGURES.add("b2 (cluster limit, ahead of older a3/a4): " + b2.conditions.get(0).getMessage());

        // A restarted operator counts what runs from the cluster, not from its memory: still nobody new starts.
        operator.stop();
        start();
        create("queue-b", "b3");
        awaitQueued("queue-b", "b3", 3); // behind b2 and a3 (queue-b: its 2nd in line; a3 is older), ahead of a4
        // Two namespaces, an informer each, each with its own store (PrunedCache): every SystemImage cached once.
        assertThat(operator.controller().getEventSourceManager().getControllerEventSource().list()
                .map(si -> si.getMetadata().getNamespace() + "/" + si.getMetadata().getName()))
                .hasSize(7).doesNotHaveDuplicates();
        assertThat(pods("queue-a", "a3")).isEmpty();
        assertThat(pods("queue-b", "b2")).isEmpty();

        // b1 ends: b2 (first in line) starts at once; a3 stays queued (queue-a is at its limit).
        awaitPromoted("queue-b", "b2", fail("queue-b", "b1"), "b1's build failed");
        assertThat(status("queue-b", "b1").phase).isEqualTo(Phase.Failed);
        awaitBuilding("queue-b", "b2");
        assertThat(pods("queue-a", "a3")).isEmpty();

        // a1 ends: a3 is next (queue-a back under its limit; b3 would make queue-b's third).
        awaitPromoted("queue-a", "a3", fail("queue-a", "a1"), "a1's build failed");
        assertThat(status("queue-a", "a1").phase).isEqualTo(Phase.Failed);
        assertThat(pods("queue-a", "a4")).isEmpty();
        assertThat(pods("queue-b", "b3")).isEmpty();

        // A deleted SystemImage frees its slot too. No garbage collector here deletes its pods (on a cluster
        // their deletion promotes the next at once): the queued SystemImages' own refresh finds the slot.
        long t0 = System.nanoTime();
        API.client().resources(SystemImage.class).inNamespace("queue-b").withName("b2").delete();
        Poll.until(WAIT.plus(Duration.ofSeconds(15)), () -> pods("queue-b", "b3").size() == 2);
        FIGURES.add("b3 started " + (System.nanoTime() - t0) / 1_000_000 + " ms after b2 was deleted");
        assertThat(pods("queue-a", "a4")).isEmpty();
    }
}
