package dev.twinbuild.operator.attest;

import dev.twinbuild.api.v1alpha1.Layer;
import dev.twinbuild.attest.Statements;
import dev.twinbuild.operator.api.v1alpha1.Artifact;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The statements of one verdict, from the spec and the recorded status only (no clock): the same verdict
 * always gives the same statements. Provenance: SLSA v1 per build; summary: SLSA VSA v1 over the artifacts.
 */
final class VerdictStatements {
    static final String POLICY = "https://twinbuild.dev/policies/reproducible/v1";

    private final SystemImage si;
    private final String specHash;
    private final String builderId;
    private final String builderImage;

    VerdictStatements(SystemImage si, String specHash, String builderId, String builderImage) {
        this.si = si;
        this.specHash = specHash;
        this.builderId = builderId;
        this.builderImage = builderImage;
    }

    Map<String, Object> provenance(BuildStatus b) {
        List<Statements.Subject> subjects = b.outputs.stream().map(o -> new Statements.Subject(o.file, o.sha256)).toList();
        Map<String, Object> internal = new TreeMap<>();
        internal.put("specHash", specHash);
        internal.put("build", b.name);
        internal.put("node", Objects.toString(b.node, ""));
        internal.put("variations", new TreeMap<>(b.variations));
        internal.put("builderImage", builderImage);
        Map<String, Object> definition = new TreeMap<>();
        definition.put("buildType", Statements.BUILD_TYPE);
        definition.put("externalParameters", Map.of(
                "spec", Serialization.jsonMapper().convertValue(si.getSpec(), Map.class),
                "systemImage", si.getMetadata().getNamespace() + "/" + si.getMetadata().getName()));
        definition.put("internalParameters", internal);
        definition.put("resolvedDependencies", dependencies());
        Map<String, Object> metadata = new TreeMap<>();
        metadata.put("invocationId", si.getMetadata().getNamespace() + "/" + b.pod + "/" + Objects.toString(b.podUid, ""));
        if (b.startTime != null) {
            metadata.put("startedOn", b.startTime);
        }
        if (b.completionTime != null) {
            metadata.put("finishedOn", b.completionTime);
        }
        List<Map<String, Object>> byproducts = new ArrayList<>();
        if (b.record != null) {
            byproducts.add(Map.of("name", "build-record.json", "uri", b.record));
        }
        return Statements.statement(subjects, Statements.PROVENANCE, Map.of(
                "buildDefinition", definition,
                "runDetails", Map.of("builder", Map.of("id", builderId), "metadata", metadata, "byproducts", byproducts)));
    }

    /**
     * @param inputs the provenance envelopes (location → sha256), in build order
     */
    Map<String, Object> summary(List<BuildStatus> builds, List<Artifact> artifacts, Map<String, String> inputs,
                                String resourceUri) {
        List<Statements.Subject> subjects = artifacts.stream().map(a -> new Statements.Subject(a.file, a.sha256)).toList();
        String verified = builds.stream().map(b -> b.completionTime).filter(Objects::nonNull).max(String::compareTo)
                .orElse(null);
        Map<String, Object> p = new TreeMap<>();
        p.put("verifier", Map.of("id", builderId));
        if (verified != null) {
            p.put("timeVerified", verified);
        }
        p.put("resourceUri", resourceUri);
        p.put("policy", Map.of("uri", POLICY));
        p.put("inputAttestations", inputs.entrySet().stream()
                .map(e -> Map.of("uri", e.getKey(), "digest", Map.of("sha256", e.getValue()))).toList());
        p.put("verificationResult", "PASSED");
        p.put("verifiedLevels", List.of(Statements.REPRODUCIBLE_LEVEL));
        p.put("slsaVersion", "1.0");
        // Extension (consumers ignore unknown fields): what "reproducible" meant for this verdict.
        p.put("reproducibility", Map.of(
                "builds", builds.size(),
                "specHash", specHash,
                "nodes", builds.stream().map(b -> Objects.toString(b.node, "")).toList(),
                "variations", builds.stream().map(b -> (Object) new TreeMap<>(b.variations)).toList()));
        return Statements.statement(subjects, Statements.VSA, p);
    }

    private List<Map<String, Object>> dependencies() {
        List<Map<String, Object>> deps = new ArrayList<>();
        List<Layer> layers = si.getSpec().layers;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", "spec.layers[" + i + "]");
            if (l.tar != null) {
                d.put("uri", l.tar.url);
                d.put("digest", Map.of("sha256", l.tar.sha256));
            } else if (l.oci != null) {
                d.put("uri", "oci://" + l.oci.image);
                d.put("digest", Map.of("sha256", l.oci.image.substring(l.oci.image.indexOf("@sha256:") + 8)));
            } else if (l.packages != null) {
                // pinned by the lock the builder checks; the layer as the spec names it
                d.put("uri", l.packages.distributionOrDefault().name().toLowerCase(java.util.Locale.ROOT) + "+"
                        + l.packages.mirrorOrDefault() + "#" + l.packages.suite);
            } else {
                continue; // inline files: part of the spec itself
            }
            deps.add(d);
        }
        Map<String, Object> builder = new LinkedHashMap<>();
        builder.put("name", "builderImage");
        builder.put("uri", "oci://" + builderImage);
        int at = builderImage.indexOf("@sha256:");
        if (at >= 0) {
            builder.put("digest", Map.of("sha256", builderImage.substring(at + 8)));
        }
        deps.add(builder);
        return deps;
    }
}
