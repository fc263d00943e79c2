package dev.twinbuild.operator.apiserver;

import dev.twinbuild.check.CheckRequest;
import dev.twinbuild.check.CheckSummary;
import dev.twinbuild.check.Diffoscope;
import dev.twinbuild.check.StoreCheck;
import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.CheckStatus;
import dev.twinbuild.operator.pods.CheckPods;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.store.GrantIssuer;
import dev.twinbuild.operator.store.S3ProxyExtension;
import dev.twinbuild.operator.store.S3ProxyServer;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.store.GrantUploader;
import dev.twinbuild.store.Sha256;
import dev.twinbuild.store.StoredObject;
import dev.twinbuild.store.UploadGrants;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconciler against a real kube-apiserver, with the test as scheduler and kubelet and s3proxy as
 * the artifact store.
 */
class SystemImageReconcilerIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final KubeApi API = KubeApi.namespacePerTest("");
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();
    @RegisterExtension
    static final Figures FIGURES = new Figures("twinbuild-figures.txt", "SystemImageReconcilerIT");
    @RegisterExtension
    final RunningOperator operator = new RunningOperator(API);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private String ns;
    private FakeKubelet kubelet;

    @BeforeEach
    void start() {
        ns = API.namespace();
        // No Secret in the namespace: the operator alone holds the store's credentials.
        kubelet = new FakeKubelet(API.client(), ns);
        kubelet.nodes("node-a", "node-b", "node-c");
        startOperator(OperatorSettings.defaults().withTiming(3, Duration.ofSeconds(1), Duration.ofSeconds(2)));
    }

    private void startOperator(OperatorSettings base) {
        operator.start(base.withDefaultStore(S3.store()), registry, 1L << 30);
    }

    private SystemImage create(String name, int builds) {
        SystemImage si = Fixtures.systemImage(name, builds);
        si.getMetadata().setNamespace(ns);
        si.getMetadata().setUid(null);
        si.getMetadata().setGeneration(null);
        return API.client().resource(si).create();
    }

    /** The builder pods of an image (its check pod has the same image label). */
    private List<Pod> pods(String image) {
        return API.client().pods().inNamespace(ns).withLabel(Names.LABEL_IMAGE, image)
                .withLabel(Names.LABEL_COMPONENT, "builder").list().getItems().stream()
                .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName())).toList();
    }

    private SystemImageStatus status(String name) {
        SystemImage si = API.client().resources(SystemImage.class).inNamespace(ns).withName(name).get();
        return si.getStatus() == null ? new SystemImageStatus() : si.getStatus();
    }

    private SystemImageStatus awaitPhase(String name, Phase phase) {
        Poll.until(WAIT, () -> status(name).phase == phase);
        return status(name);
    }

    /**
     * Plays the builder: uploads the outputs (content decides the digest) through the grants the
     * operator gave the pod — the only access a builder has — and returns its termination message.
     */
    private String upload(Pod pod, String content) throws Exception {
        return upload(pod, content, null);
    }

    /** @param claimed when set, the digest the "build" reports instead of the real one (a lying pod) */
    private String upload(Pod pod, String content, String claimed) throws Exception {
        GrantUploader store = new GrantUploader(grants(pod));
        List<BuildSummary.Output> outputs = new ArrayList<>();
        String image = pod.getMetadata().getLabels().get(Names.LABEL_IMAGE);
        for (String[] o : new String[][]{{"tar", image + ".tar"}, {"tar.gz", image + ".tar.gz"}}) {
            Path file = Files.createTempFile("artifact", o[1]);
            StoredObject stored;
            try {
                Files.write(file, archive(o[0], content));
                stored = store.put(o[1], file, Sha256.hex(file));
            } finally {
                Files.deleteIfExists(file); // 26 files a run were left in /tmp
            }
            outputs.add(new BuildSummary.Output(o[0], o[1], claimed != null ? claimed : stored.sha256(), stored.size(),
                    stored.location()));
        }
        Path record = Files.createTempFile("record", ".json");
        StoredObject rec;
        try {
            Files.writeString(record, "{}");
            rec = store.put("build-record.json", record, Sha256.hex(record));
        } finally {
            Files.deleteIfExists(record);
        }
        return BuildSummary.success(outputs, rec.location()).toTerminationMessage();
    }

    /** The grants the operator put into the pod's Secret (the file the pod would mount). */
    private UploadGrants grants(Pod pod) {
        String name = GrantIssuer.secretName(pod.getMetadata().getName());
        Poll.until(WAIT, () -> API.client().secrets().inNamespace(ns).withName(name).get() != null);
        Secret secret = API.client().secrets().inNamespace(ns).withName(name).get();
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(pod.getMetadata().getUid()));
        return UploadGrants.parse(new String(Base64.getDecoder().decode(secret.getData().get(UploadGrants.FILE)),
                StandardCharsets.UTF_8));
    }

    /** A real (tiny) tar or tar.gz, so that a mismatch can be diffed entry by entry. */
    private static byte[] archive(String format, String content) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.OutputStream out = format.endsWith("gz") ? new java.util.zip.GZIPOutputStream(bytes) : bytes;
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
            for (String[] f : new String[][]{{"./etc/os-release", "ID=test\n"}, {"./etc/content", content + "\n"}}) {
                byte[] data = f[1].getBytes(java.nio.charset.StandardCharsets.UTF_8);
                var e = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(f[0]);
                e.setSize(data.length);
                e.setModTime(1_700_000_000_000L);
                tar.putArchiveEntry(e);
                tar.write(data);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private List<Pod> checkPods(String image) {
        return API.client().pods().inNamespace(ns).withLabel(Names.LABEL_IMAGE, image)
                .withLabel(Names.LABEL_COMPONENT, "check").list().getItems();
    }

    /**
     * Plays the check pod: runs the real pod-check work (read-back, Twinbuild's differ, diffoscope) with the
     * request the operator put into the pod's Secret — presigned grants only — and ends the pod with its summary.
     */
    private CheckSummary playCheck(String image) throws Exception {
        Poll.until(WAIT, () -> checkPods(image).size() == 1);
        Pod pod = checkPods(image).get(0);
        String name = GrantIssuer.secretName(pod.getMetadata().getName());
        Poll.until(WAIT, () -> API.client().secrets().inNamespace(ns).withName(name).get() != null);
        Secret secret = API.client().secrets().inNamespace(ns).withName(name).get();
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(pod.getMetadata().getUid()));
        Path file = Files.createTempFile("check", ".json");
        Path scratch = Files.createTempDirectory("check-scratch");
        CheckSummary summary;
        try {
            Files.write(file, Base64.getDecoder().decode(secret.getData().get(CheckRequest.FILE)));
            CheckRequest request = CheckRequest.read(file);
            summary = new StoreCheck(new Diffoscope(Path.of(Diffoscope.COMMAND), 120))
                    .run(request, scratch, new GrantUploader(request.reports()));
        } finally {
            Files.deleteIfExists(file);
            try (var walk = Files.walk(scratch)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        kubelet.schedule(pod.getMetadata().getName(), List.of("node-a", "node-b", "node-c"));
        kubelet.terminate(pod.getMetadata().getName(), CheckPods.CONTAINER, summary.succeeded() ? 0 : 3,
                summary.toTerminationMessage());
        return summary;
    }

    private String stored(String location) throws Exception {
        String key = location.substring(("s3://" + S3ProxyServer.BUCKET + "/").length());
        try (var in = S3.access().get(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private List<Pod> awaitPods(String image, int n) {
        Poll.until(WAIT, () -> pods(image).size() == n);
        return pods(image);
    }

    private static Condition condition(SystemImageStatus s, String type) {
        return s.conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
    }

    @Test
    void identicalBuildsOnTwoNodesAreReproducible() throws Exception {
        create("live", 2);
        List<Pod> pods = awaitPods("live", 2);
        assertThat(pods).extracting(p -> p.getMetadata().getName()).allMatch(n -> n.matches("live-[0-9a-f]{10}-b[01]"));
        Poll.until(WAIT, () -> status("live").phase == Phase.Pending);
        List<String> nodes = List.of("node-a", "node-b");
        String nodeA = kubelet.schedule(pods.get(0).getMetadata().getName(), nodes);
        String nodeB = kubelet.schedule(pods.get(1).getMetadata().getName(), nodes);
        assertThat(nodeA).isNotEqualTo(nodeB);
        pods.forEach(p -> kubelet.run(p.getMetadata().getName()));
        Poll.until(WAIT, () -> status("live").phase == Phase.Building);

        kubelet.terminate(pods.get(0).getMetadata().getName(), 0, upload(pods.get(0), "same"));
        String last = upload(pods.get(1), "same");
        long t0 = System.nanoTime();
        kubelet.terminate(pods.get(1).getMetadata().getName(), 0, last);
        // No verdict before the stored copies are read back — by a pod, not by the operator.
        Poll.until(WAIT, () -> status("live").check != null && status("live").check.podUid != null);
        assertThat(status("live").phase).isEqualTo(Phase.Building);
        assertThat(status("live").check.purpose).isEqualTo(CheckStatus.READ_BACK);
        assertThat(playCheck("live").verified()).isEqualTo(4);
        SystemImageStatus s = awaitPhase("live", Phase.Reproducible);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        FIGURES.add("last build completion -> Reproducible verdict in status (incl. the read-back pod): " + millis + " ms");
        assertThat(s.check.phase).isEqualTo(BuildPhase.Succeeded);
        assertThat(s.check.verified).isEqualTo(4);

        assertThat(s.observedGeneration).isEqualTo(1L);
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Reproducible").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Stalled").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Reconciling").getStatus()).isEqualTo("False");
        assertThat(s.builds).extracting(b -> b.node).containsExactlyInAnyOrder("node-a", "node-b");
        assertThat(s.builds).allSatisfy(b -> assertThat(b.phase).isEqualTo(BuildPhase.Succeeded));
        assertThat(s.builds.get(1).variations).containsKeys("timezone", "user_group", "fileordering");
        assertThat(s.artifacts).hasSize(2).allSatisfy(a -> {
            assertThat(a.location).startsWith("s3://artifacts/" + ns + "/live/");
            assertThat(a.sha256).hasSize(64);
        });
        assertThat(s.digest).startsWith("sha256:").hasSize(19);
        assertThat(s.mismatch).isNull();
        assertThat(registry.find("twinbuild.builds.started").counter().count()).isEqualTo(2.0);
        assertThat(registry.find("twinbuild.builds.finished").tag("outcome", "succeeded").counter().count())
                .isEqualTo(2.0);
        Poll.until(WAIT, () -> API.client().v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "Reproducible".equals(e.getReason())));
        assertSignedAttestations(s, true);
        // The verdict is written: its two builder pods and its check pod stay in the cluster (logs, inspection),
        // labelled out of the operator's pod cache.
        Poll.until(WAIT, () -> API.client().pods().inNamespace(ns).withLabel(Names.LABEL_IMAGE, "live")
                .withLabel(Names.LABEL_RETIRED, "true").list().getItems().size() == 3);
    }

    /** status.attestations: a provenance per build and, when reproducible, a VSA; stored, hashed, signed. */
    private void assertSignedAttestations(SystemImageStatus s, boolean vsa) throws Exception {
        var cm = API.client().configMaps().inNamespace(TestOperators.OPERATOR_NAMESPACE).withName(TestOperators.KEY_NAME).get();
        var pub = dev.twinbuild.attest.Keys.readPublic(cm.getData().get(dev.twinbuild.operator.attest.SigningKey.CONFIGMAP_KEY));
        List<String> types = new ArrayList<>(List.of(dev.twinbuild.attest.Statements.PROVENANCE,
                dev.twinbuild.attest.Statements.PROVENANCE));
        if (vsa) {
            types.add(dev.twinbuild.attest.Statements.VSA);
        }
        assertThat(s.attestations).extracting(a -> a.predicateType).containsExactlyElementsOf(types);
        assertThat(s.attestations).extracting(a -> a.build).containsExactly(vsa ? new String[]{"b0", "b1", null}
                : new String[]{"b0", "b1"});
        for (var a : s.attestations) {
            assertThat(a.keyid).isEqualTo(dev.twinbuild.attest.Keys.keyId(pub));
            assertThat(a.location).startsWith("s3://" + S3ProxyServer.BUCKET + "/" + ns + "/")
                    .contains("/" + s.specHash + "/attestations/");
            byte[] envelope;
            try (var in = S3.access().get(a.location.substring(("s3://" + S3ProxyServer.BUCKET + "/").length()))) {
                envelope = in.readAllBytes();
            }
            assertThat(Sha256.hex(envelope)).isEqualTo(a.sha256);
            var e = dev.twinbuild.attest.Dsse.Envelope.parse(envelope);
            // every artifact the statement names verifies against it
            var build = a.build == null ? s.builds.get(0) : s.builds.stream().filter(b -> b.name.equals(a.build))
                    .findFirst().orElseThrow();
            for (var o : build.outputs) {
                var v = dev.twinbuild.attest.AttestationVerifier.verify(e, pub, o.sha256, a.predicateType);
                assertThat(v.subject()).isEqualTo(o.file);
            }
        }
    }

    @Test
    void differingDigestsAreUnreproducible() throws Exception {
        create("drift", 2);
        List<Pod> pods = awaitPods("drift", 2);
        for (int i = 0; i < 2; i++) {
            String pod = pods.get(i).getMetadata().getName();
            kubelet.schedule(pod, List.of("node-a", "node-b"));
            kubelet.run(pod);
            kubelet.terminate(pod, 0, upload(pods.get(i), "content-of-build-" + i));
        }
        // The verdict comes first: Unreproducible, with the differing outputs, before any diagnosis ran.
        SystemImageStatus s = awaitPhase("drift", Phase.Unreproducible);
        assertThat(s.mismatch.differingPaths).isEmpty();
        assertThat(s.check.purpose).isEqualTo(CheckStatus.DIAGNOSIS);
        assertThat(s.check.isFinal()).isFalse();

        assertThat(condition(s, "Reproducible").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Reproducible").getMessage()).contains("drift.tar", "b0", "b1");
        assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
        assertThat(condition(s, "Stalled").getReason()).isEqualTo("Unreproducible");
        assertThat(s.mismatch.outputs).extracting(o -> o.file).containsExactly("drift.tar", "drift.tar.gz");
        assertThat(s.mismatch.outputs.get(0).sha256).containsOnlyKeys("b0", "b1");
        assertThat(s.artifacts).as("both sides kept").hasSize(4);

        CheckSummary summary = playCheck("drift");
        assertThat(summary.succeeded()).as("%s", summary).isTrue();
        Poll.until(WAIT, () -> status("drift").check.isFinal());
        s = status("drift");
        assertThat(s.phase).isEqualTo(Phase.Unreproducible);
        assertThat(s.check.phase).isEqualTo(BuildPhase.Succeeded);
        assertThat(s.check.verified).isEqualTo(4);
        assertThat(s.mismatch.differingPaths).as("diffed entry by entry").containsExactly("./etc/content");
        assertThat(s.mismatch.reportLocation).startsWith("s3://" + S3ProxyServer.BUCKET + "/" + ns + "/drift/")
                .endsWith("/report/diff-report.txt");
        assertThat(stored(s.mismatch.reportLocation))
                .contains("./etc/content: content").contains("content-of-build-0").contains("content-of-build-1");
        assertThat(s.mismatch.reports).containsKeys("diff-report.json", "diff-report.txt",
                "diffoscope-drift.tar.txt", "diffoscope-drift.tar.html", "diffoscope-drift.tar.gz.txt",
                "diffoscope-drift.tar.gz.html");
        assertThat(stored(s.mismatch.reports.get("diffoscope-drift.tar.txt")))
                .contains("etc/content").contains("content-of-build-0").contains("content-of-build-1");
        assertThat(stored(s.mismatch.reports.get("diffoscope-drift.tar.html"))).contains("<html");
        assertSignedAttestations(s, false);
    }

    @Test
    void aFinishedDiagnosisIsNotRepeatedAfterARestart() throws Exception {
        create("again", 2);
        List<Pod> pods = awaitPods("again", 2);
        for (int i = 0; i < 2; i++) {
            String pod = pods.get(i).getMetadata().getName();
            kubelet.schedule(pod, List.of("node-a", "node-b"));
            kubelet.run(pod);
            kubelet.terminate(pod, 0, upload(pods.get(i), "build-" + i));
        }
        Poll.until(WAIT, () -> checkPods("again").size() == 1);
        String uid = checkPods("again").get(0).getMetadata().getUid();
        Poll.until(WAIT, () -> uid.equals(status("again").check.podUid));
        // The verdict's provenance is signed and stored before the restart, so the stop does not cut that short.
        Poll.until(WAIT, () -> status("again").attestations != null && status("again").attestations.size() == 2);
        // A restart while the diagnosis pod runs: the new operator resumes it (same pod), does not start another.
        operator.stop();
        startOperator(OperatorSettings.defaults().withTiming(3, Duration.ofSeconds(1), Duration.ofSeconds(2)));
        playCheck("again");
        Poll.until(WAIT, () -> status("again").check.isFinal());
        SystemImageStatus done = status("again");
        assertThat(done.check.phase).isEqualTo(BuildPhase.Succeeded);
        assertThat(done.check.attempts).isEqualTo(1);
        assertThat(done.check.podUid).isEqualTo(uid);

        // Finished: a restarted operator neither runs it again (no new pod) nor rewrites the status.
        API.client().pods().inNamespace(ns).withName(done.check.pod).withGracePeriod(0).delete();
        Poll.until(WAIT, () -> checkPods("again").isEmpty());
        operator.stop();
        startOperator(OperatorSettings.defaults().withTiming(3, Duration.ofSeconds(1), Duration.ofSeconds(2)));
        // The new operator has reconciled once it has started the builds of an image created after it.
        create("witness", 2);
        awaitPods("witness", 2);
        org.awaitility.Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> checkPods("again").isEmpty());
        assertThat(io.fabric8.kubernetes.client.utils.Serialization.asJson(status("again")))
                .isEqualTo(io.fabric8.kubernetes.client.utils.Serialization.asJson(done));
    }

    @Test
    void aFailedBuildFailsTheImageWithItsReason() throws Exception {
        create("broken", 2);
        List<Pod> pods = awaitPods("broken", 2);
        String failing = pods.get(1).getMetadata().getName();
        kubelet.schedule(pods.get(0).getMetadata().getName(), List.of("node-a", "node-b"));
        kubelet.schedule(failing, List.of("node-a", "node-b"));
        kubelet.run(failing);
        kubelet.terminate(failing, 3, BuildSummary.failed("StepFailed", "step 'configure' exited 1")
                .toTerminationMessage());
        SystemImageStatus s = awaitPhase("broken", Phase.Failed);

        assertThat(condition(s, "Stalled").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Stalled").getReason()).isEqualTo("StepFailed");
        assertThat(condition(s, "Stalled").getMessage()).contains("b1", "configure");
        assertThat(s.builds.get(1).failure.reason).isEqualTo("StepFailed");
        assertThat(s.builds.get(0).failure.reason).isEqualTo("Cancelled");
        Poll.until(WAIT, () -> API.client().pods().inNamespace(ns).withName(pods.get(0).getMetadata().getName()).get() == null
                || API.client().pods().inNamespace(ns).withName(pods.get(0).getMetadata().getName()).get()
                .getMetadata().getDeletionTimestamp() != null);
    }

    @Test
    void aRestartedOperatorResumesWithoutDuplicateBuilds() throws Exception {
        create("resume", 2);
        List<Pod> before = awaitPods("resume", 2);
        String first = before.get(0).getMetadata().getName();
        kubelet.schedule(first, List.of("node-a", "node-b"));
        kubelet.run(first);
        Poll.until(WAIT, () -> status("resume").phase == Phase.Building);

        operator.stop();
        startOperator(OperatorSettings.defaults().withTiming(3, Duration.ofSeconds(1), Duration.ofSeconds(2)));
        // Only the new operator can record b1 running: once it has, it has reconciled what it found.
        String second = before.get(1).getMetadata().getName();
        kubelet.schedule(second, List.of("node-a", "node-b"));
        kubelet.run(second);
        Poll.until(WAIT, () -> status("resume").builds.stream().allMatch(b -> b.phase == BuildPhase.Running));
        List<Pod> after = pods("resume");
        assertThat(after).extracting(p -> p.getMetadata().getUid())
                .containsExactlyInAnyOrderElementsOf(before.stream().map(p -> p.getMetadata().getUid()).toList());
        assertThat(status("resume").builds).allSatisfy(b -> assertThat(b.attempts).isEqualTo(1));

        for (Pod p : after) {
            kubelet.terminate(p.getMetadata().getName(), 0, upload(p, "same"));
        }
        playCheck("resume");
        awaitPhase("resume", Phase.Reproducible);
        assertThat(pods("resume")).hasSize(2);
    }

    @Test
    void tooFewNodesStallWithAReason() {
        create("crowded", 3);
        List<Pod> pods = awaitPods("crowded", 3);
        kubelet.schedule(pods.get(0).getMetadata().getName(), List.of("node-a"));
        kubelet.unschedulable(pods.get(1).getMetadata().getName(), Instant.now().minusSeconds(5));
        Poll.until(WAIT, () -> "InsufficientNodes".equals(
                dev.twinbuild.operator.status.Conditions.reason(status("crowded").conditions, "Stalled")));
        SystemImageStatus s = status("crowded");
        assertThat(condition(s, "Stalled").getStatus()).isEqualTo("True");
        assertThat(condition(s, "Stalled").getMessage()).contains("3 schedulable nodes", "anti-affinity");
        assertThat(condition(s, "Reconciling").getStatus()).as("kstatus: Failed, not InProgress").isEqualTo("False");
        assertThat(s.phase).isIn(Phase.Pending, Phase.Building);
    }

    @Test
    void aDeletedBuilderPodIsRecreatedAfterABackoff() throws Exception {
        create("flaky", 2);
        List<Pod> pods = awaitPods("flaky", 2);
        String victim = pods.get(0).getMetadata().getName();
        String uid = pods.get(0).getMetadata().getUid();
        kubelet.schedule(victim, List.of("node-a", "node-b"));
        kubelet.run(victim);
        Poll.until(WAIT, () -> status("flaky").phase == Phase.Building);
        API.client().pods().inNamespace(ns).withName(victim).withGracePeriod(0).delete();

        Poll.until(WAIT, () -> {
            Pod p = API.client().pods().inNamespace(ns).withName(victim).get();
            return p != null && !p.getMetadata().getUid().equals(uid);
        });
        Pod retried = API.client().pods().inNamespace(ns).withName(victim).get();
        assertThat(retried.getMetadata().getAnnotations()).containsEntry(Names.ANNOTATION_ATTEMPT, "2");
        Poll.until(WAIT, () -> Integer.valueOf(2).equals(status("flaky").builds.get(0).attempts));
        SystemImageStatus s = status("flaky");
        assertThat(s.builds.get(0).failure.reason).isEqualTo("PodLost");
        assertThat(pods("flaky")).hasSize(2);
    }

    @Test
    void aNewSpecSupersedesTheBuildsOfTheOldOne() {
        create("evolving", 2);
        List<Pod> old = awaitPods("evolving", 2);
        API.client().resources(SystemImage.class).inNamespace(ns).withName("evolving")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"sourceDateEpoch\":1800000000}}");

        Poll.until(WAIT, () -> pods("evolving").stream().noneMatch(p -> old.stream()
                .anyMatch(o -> o.getMetadata().getName().equals(p.getMetadata().getName()))
                && p.getMetadata().getDeletionTimestamp() == null) && pods("evolving").size() >= 2);
        Poll.until(WAIT, () -> Long.valueOf(2).equals(status("evolving").observedGeneration));
        assertThat(status("evolving").specHash).isNotEqualTo(old.get(0).getMetadata().getLabels().get(Names.LABEL_SPEC_HASH));
        assertThat(new String(API.client().configMaps().inNamespace(ns).list().getItems().stream()
                .filter(c -> c.getMetadata().getName().startsWith("evolving-")).findFirst().orElseThrow()
                .getData().values().iterator().next().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .contains("1800000000");
    }

    @Test
    void everyBuildsCopyIsReadBackNotOnlyTheFirst() throws Exception {
        create("liar", 2);
        List<Pod> pods = awaitPods("liar", 2);
        for (Pod p : pods) {
            kubelet.schedule(p.getMetadata().getName(), List.of("node-a", "node-b"));
            kubelet.run(p.getMetadata().getName());
        }
        String honest = upload(pods.get(0), "same");
        kubelet.terminate(pods.get(0).getMetadata().getName(), 0, honest);
        // b1 stores other bytes but reports b0's digests: by digests alone the builds agree.
        BuildSummary claimed = BuildSummary.parse(honest);
        String lie = upload(pods.get(1), "different");
        BuildSummary stored = BuildSummary.parse(lie);
        List<BuildSummary.Output> outputs = new ArrayList<>();
        for (int i = 0; i < stored.outputs().size(); i++) {
            BuildSummary.Output o = stored.outputs().get(i);
            outputs.add(new BuildSummary.Output(o.format(), o.file(), claimed.outputs().get(i).sha256(),
                    claimed.outputs().get(i).size(), o.location()));
        }
        kubelet.terminate(pods.get(1).getMetadata().getName(), 0,
                BuildSummary.success(outputs, stored.record()).toTerminationMessage());

        CheckSummary check = playCheck("liar");
        assertThat(check.failure().reason()).isEqualTo("StoredDigestMismatch");
        SystemImageStatus s = awaitPhase("liar", Phase.Failed);
        assertThat(condition(s, "Stalled").getReason()).isEqualTo("StoredDigestMismatch");
        assertThat(condition(s, "Stalled").getMessage()).contains("/liar/", "/b1/liar.tar");
        assertThat(s.artifacts).isEmpty();
    }

    @Test
    void aPodReportingAnotherLocationDoesNotCount() throws Exception {
        create("elsewhere", 2);
        List<Pod> pods = awaitPods("elsewhere", 2);
        for (Pod p : pods) {
            kubelet.schedule(p.getMetadata().getName(), List.of("node-a", "node-b"));
            kubelet.run(p.getMetadata().getName());
        }
        kubelet.terminate(pods.get(0).getMetadata().getName(), 0, upload(pods.get(0), "same"));
        // b1 points at b0's objects (or another namespace's) instead of storing its own.
        BuildSummary b0 = BuildSummary.parse(upload(pods.get(0), "same"));
        upload(pods.get(1), "same");
        kubelet.terminate(pods.get(1).getMetadata().getName(), 0, b0.toTerminationMessage());

        SystemImageStatus s = awaitPhase("elsewhere", Phase.Failed);
        assertThat(s.builds.get(1).failure.reason).isEqualTo("UnexpectedLocation");
        assertThat(s.builds.get(1).failure.message).contains("/elsewhere/", "/b1/elsewhere.tar");
    }

    @Test
    void builderPodsCarryNoCredentialsAndOwnTheirGrants() {
        create("sealed", 2);
        List<Pod> pods = awaitPods("sealed", 2);
        for (Pod p : pods) {
            assertThat(p.getSpec().getContainers()).allSatisfy(c -> assertThat(c.getEnv())
                    .allSatisfy(e -> assertThat(e.getValueFrom()).isNull())
                    .noneMatch(e -> e.getName().startsWith("AWS_")));
            UploadGrants g = grants(p);
            String prefix = ns + "/sealed/" + p.getMetadata().getLabels().get(Names.LABEL_SPEC_HASH) + "/b"
                    + p.getMetadata().getLabels().get(Names.LABEL_BUILD_INDEX) + "/";
            assertThat(g.files()).containsOnlyKeys("sealed.tar", "sealed.tar.gz", "build-record.json",
                    dev.twinbuild.store.Stores.SUMMARY_FILE);
            assertThat(g.files().values()).allSatisfy(x -> assertThat(x.key()).startsWith(prefix));
            assertThat(g.toJson()).doesNotContain(S3ProxyServer.SECRET_KEY);
        }
        Poll.until(WAIT, () -> status("sealed").builds.size() == 2
                && status("sealed").builds.stream().allMatch(b -> b.podUid != null));
        assertThat(status("sealed").builds).extracting(b -> b.podUid)
                .containsExactlyElementsOf(pods.stream().map(p -> p.getMetadata().getUid()).toList());
    }

    @Test
    void secretsInWhatAPodReportsStayOutOfStatusAndEvents() {
        create("leaky", 2);
        List<Pod> pods = awaitPods("leaky", 2);
        String pod = pods.get(1).getMetadata().getName();
        kubelet.schedule(pods.get(0).getMetadata().getName(), List.of("node-a", "node-b"));
        kubelet.schedule(pod, List.of("node-a", "node-b"));
        kubelet.run(pod);
        // Written by hand, as a hostile or broken builder could: not redacted at the source.
        String presigned = "http://s3:9000/artifacts/k?X-Amz-Credential=AKIALEAK%2F1&X-Amz-Signature=feedface";
        kubelet.terminate(pod, 3, "{\"failure\":{\"reason\":\"StepFailed\",\"message\":\"fetching "
                + "https://user:hunter2@example.org/rootfs.tar and " + presigned + " failed\"}}");

        SystemImageStatus s = awaitPhase("leaky", Phase.Failed);
        String all = io.fabric8.kubernetes.client.utils.Serialization.asJson(s);
        assertThat(all).doesNotContain("hunter2", "AKIALEAK", "feedface")
                .contains("https://REDACTED@example.org/rootfs.tar", "http://s3:9000/artifacts/k?REDACTED");
        Poll.until(WAIT, () -> API.client().v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "BuildFailed".equals(e.getReason())));
        assertThat(API.client().v1().events().inNamespace(ns).list().getItems())
                .allSatisfy(e -> assertThat(e.getMessage()).doesNotContain("hunter2", "AKIALEAK", "feedface"));
    }
}
