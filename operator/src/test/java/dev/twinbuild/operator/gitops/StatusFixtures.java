package dev.twinbuild.operator.gitops;

import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.BuildOutput;
import dev.twinbuild.operator.api.v1alpha1.BuildPhase;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.pods.Names;
import dev.twinbuild.operator.status.StatusComposer;
import dev.twinbuild.operator.status.Verdict;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SystemImages in every phase, with the status the operator's own {@link StatusComposer} writes: the
 * fixtures of the Argo CD health check (testdata/) and the dashboard tests are made from these.
 */
public final class StatusFixtures {
    static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

    private StatusFixtures() {
    }

    /** Case name (fixture file name without .yaml) to object, in a stable order. */
    public static Map<String, SystemImage> all() {
        Map<String, SystemImage> cases = new LinkedHashMap<>();
        cases.put("progressing_noStatus", image("fresh", 1, null));
        // what the API server serves for a new object: the CRD defaults status.observedGeneration to 0
        SystemImageStatus unseen = new SystemImageStatus();
        unseen.observedGeneration = 0L;
        cases.put("progressing_notObserved", image("unseen", 1, unseen));
        cases.put("progressing_pending", image("pending", 1, composer(1).inProgress(hash(), List.of(
                build(0, BuildPhase.Pending, null, null), build(1, BuildPhase.Pending, null, null)), null, null)));
        cases.put("progressing_building", image("building", 1, composer(1).inProgress(hash(), List.of(
                build(0, BuildPhase.Succeeded, "node-a", "1"), build(1, BuildPhase.Running, "node-b", null)),
                null, null)));
        cases.put("progressing_newGeneration", image("edited", 2, reproducible(1)));
        cases.put("healthy_reproducible", image("hello", 1, reproducible(1)));
        cases.put("degraded_unreproducible", image("dated", 1, unreproducible()));
        cases.put("degraded_failed", image("broken", 1, composer(1).failed(hash(), List.of(
                build(0, BuildPhase.Failed, "node-a", null), build(1, BuildPhase.Succeeded, "node-b", "1")),
                "StepFailed", "b0: step 'motd' exited with status 1")));
        cases.put("degraded_stalledInsufficientNodes", image("lonely", 1, composer(1).inProgress(hash(), List.of(
                build(0, BuildPhase.Running, "node-a", null), build(1, BuildPhase.Pending, null, null)),
                StatusComposer.INSUFFICIENT_NODES, "b1 (pod lonely-" + hash() + "-b1) cannot be scheduled for 60s: "
                        + "0/1 nodes are available: 1 node(s) didn't match pod anti-affinity rules. The 2 builds of"
                        + " a verification need 2 schedulable nodes (required anti-affinity on kubernetes.io/hostname).")));
        return cases;
    }

    public static SystemImageStatus reproducible(long generation) {
        List<BuildStatus> builds = List.of(build(0, BuildPhase.Succeeded, "node-a", "1"),
                build(1, BuildPhase.Succeeded, "node-b", "1"));
        return composer(generation).verdict(hash(), builds, Verdict.of(builds));
    }

    public static SystemImageStatus unreproducible() {
        List<BuildStatus> builds = List.of(build(0, BuildPhase.Succeeded, "node-a", "1"),
                build(1, BuildPhase.Succeeded, "node-b", "2"));
        SystemImageStatus s = composer(1).verdict(hash(), builds, Verdict.of(builds));
        // what the MismatchDiagnoser adds once it has compared the two outputs
        s.mismatch.differingPaths = List.of("./etc/build-date");
        s.mismatch.reportLocation = "s3://twinbuild/twinbuild/ns/dated/" + hash() + "/diff-report.txt";
        return s;
    }

    private static StatusComposer composer(long generation) {
        return new StatusComposer(null, generation, T0.plusSeconds(300));
    }

    private static String hash() {
        return Names.specHash(Fixtures.spec(2));
    }

    /** @param variant for a finished build, which bytes it produced ("1" or "2") */
    public static BuildStatus build(int index, BuildPhase phase, String node, String variant) {
        BuildStatus b = new BuildStatus();
        b.name = "b" + index;
        b.index = index;
        b.pod = "img-" + hash() + "-b" + index;
        b.node = node;
        b.phase = phase;
        b.attempts = 1;
        if (index == 1) {
            Map<String, String> v = new TreeMap<>();
            v.put("build_path", "/build/b1");
            v.put("time", "+398 days");
            v.put("timezone", "GMT+12");
            b.variations = v;
        }
        if (phase != BuildPhase.Pending) {
            b.startTime = T0.plusSeconds(10).toString();
        }
        if (phase.isFinal()) {
            b.completionTime = T0.plusSeconds(70 + 20L * index).toString();
        }
        if (phase == BuildPhase.Failed) {
            b.failure = new dev.twinbuild.operator.api.v1alpha1.BuildFailure("StepFailed",
                    "step 'motd' exited with status 1");
        }
        if (variant != null) {
            String base = "s3://twinbuild/twinbuild/ns/img/" + hash() + "/b" + index + "/";
            b.outputs = List.of(
                    new BuildOutput("tar", "img.tar", "1".repeat(63) + "a", 10240L, base + "img.tar"),
                    new BuildOutput("tar.gz", "img.tar.gz", variant.repeat(63) + "b", 512L, base + "img.tar.gz"));
            b.record = base + "build-record.json";
        }
        return b;
    }

    public static SystemImage image(String name, long generation, SystemImageStatus status) {
        SystemImage si = Fixtures.systemImage(name, 2);
        si.getMetadata().setNamespace("images");
        si.getMetadata().setGeneration(generation);
        si.getMetadata().setUid(null);
        si.getMetadata().setCreationTimestamp(T0.toString());
        si.setStatus(status);
        return si;
    }
}
