package dev.twinbuild.operator.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinbuild.api.v1alpha1.Layer;
import dev.twinbuild.api.v1alpha1.OciLayer;
import dev.twinbuild.attest.Statements;
import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.Artifact;
import dev.twinbuild.operator.api.v1alpha1.BuildOutput;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictStatementsTest {
    private static final String IMAGE = "registry.example/builder@sha256:" + "b".repeat(64);

    private static SystemImage image() {
        SystemImage si = Fixtures.systemImage("minimal", 2);
        Layer oci = new Layer();
        oci.oci = new OciLayer();
        oci.oci.image = "registry.example/busybox@sha256:" + "c".repeat(64);
        List<Layer> layers = new ArrayList<>(si.getSpec().layers);
        layers.add(oci);
        si.getSpec().layers = layers;
        return si;
    }

    private static BuildStatus build(int i, String node, String sha) {
        BuildStatus b = new BuildStatus();
        b.index = i;
        b.name = "b" + i;
        b.pod = "minimal-0123456789-b" + i;
        b.podUid = "uid-" + i;
        b.node = node;
        b.startTime = "2026-11-29T10:00:0" + i + "Z";
        b.completionTime = "2026-11-29T10:01:0" + i + "Z";
        if (i == 1) {
            b.variations.put("timezone", "Etc/GMT-14");
            b.variations.put("time", "+373 days");
        }
        b.outputs = List.of(new BuildOutput("tar", "minimal.tar", sha, 10L, "s3://bkt/ns/minimal/h/b" + i + "/minimal.tar"));
        return b;
    }

    private static JsonNode tree(Map<String, Object> statement) throws Exception {
        return new ObjectMapper().readTree(Statements.canonical(statement));
    }

    @Test
    void provenanceNamesSpecDependenciesNodeAndVariations() throws Exception {
        VerdictStatements s = new VerdictStatements(image(), "0123456789abcdef", "https://twinbuild.dev/operator/v1", IMAGE);
        JsonNode p = tree(s.provenance(build(1, "node-b", "d".repeat(64))));
        assertThat(p.at("/_type").asText()).isEqualTo(Statements.STATEMENT_TYPE);
        assertThat(p.at("/subject/0/name").asText()).isEqualTo("minimal.tar");
        assertThat(p.at("/subject/0/digest/sha256").asText()).isEqualTo("d".repeat(64));
        JsonNode def = p.at("/predicate/buildDefinition");
        assertThat(def.at("/buildType").asText()).isEqualTo(Statements.BUILD_TYPE);
        assertThat(def.at("/externalParameters/spec/sourceDateEpoch").asLong()).isEqualTo(1_700_000_000L);
        assertThat(def.at("/internalParameters/node").asText()).isEqualTo("node-b");
        assertThat(def.at("/internalParameters/variations/timezone").asText()).isEqualTo("Etc/GMT-14");
        List<String> deps = new ArrayList<>();
        def.at("/resolvedDependencies").forEach(d -> deps.add(d.at("/uri").asText() + " " + d.at("/digest/sha256").asText()));
        assertThat(deps).containsExactly(
                "https://example.org/rootfs.tar " + "a".repeat(64),
                "oci://registry.example/busybox@sha256:" + "c".repeat(64) + " " + "c".repeat(64),
                "oci://" + IMAGE + " " + "b".repeat(64));
        assertThat(p.at("/predicate/runDetails/builder/id").asText()).isEqualTo("https://twinbuild.dev/operator/v1");
        assertThat(p.at("/predicate/runDetails/metadata/finishedOn").asText()).isEqualTo("2026-11-29T10:01:01Z");
    }

    @Test
    void summaryStatesTheAgreementAndIsTheSameBytesEachTime() throws Exception {
        VerdictStatements s = new VerdictStatements(image(), "0123456789abcdef", "https://twinbuild.dev/operator/v1", IMAGE);
        List<BuildStatus> builds = List.of(build(0, "node-a", "d".repeat(64)), build(1, "node-b", "d".repeat(64)));
        List<Artifact> artifacts = List.of(new Artifact("tar", "minimal.tar", "d".repeat(64), 10L, "s3://x", "b0"));
        Map<String, String> inputs = Map.of("s3://bkt/ns/minimal/h/attestations/b0.provenance.intoto.json", "e".repeat(64));
        byte[] first = Statements.canonical(s.summary(builds, artifacts, inputs, "s3://bkt/ns/minimal/h/"));
        assertThat(Statements.canonical(s.summary(builds, artifacts, inputs, "s3://bkt/ns/minimal/h/"))).isEqualTo(first);
        JsonNode v = new ObjectMapper().readTree(first);
        assertThat(v.at("/predicateType").asText()).isEqualTo(Statements.VSA);
        assertThat(v.at("/predicate/verificationResult").asText()).isEqualTo("PASSED");
        assertThat(v.at("/predicate/timeVerified").asText()).isEqualTo("2026-11-29T10:01:01Z");
        assertThat(v.at("/predicate/reproducibility/builds").asInt()).isEqualTo(2);
        assertThat(v.at("/predicate/reproducibility/nodes").toString()).isEqualTo("[\"node-a\",\"node-b\"]");
        assertThat(v.at("/predicate/inputAttestations/0/digest/sha256").asText()).isEqualTo("e".repeat(64));
    }
}
