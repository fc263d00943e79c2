package dev.twinbuild.operator.apiserver;

import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.InputException;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One manifest, two gates: what `twinbuild build` refuses, `kubectl apply` refuses too (the CLI's
 * Validator and the CRD schema in the API server), each naming the same field.
 */
class SameRulesIT {
    private static final String SHA = "a".repeat(64);
    private static final String OCI = "registry.example.org/base/debian@sha256:" + "b".repeat(64);
    private static KubernetesClient client;

    @BeforeAll
    static void cluster() throws Exception {
        client = ApiServer.client();
    }

    private static String manifest(String name, String layers, String outputs, String verification, long epoch) {
        return """
                apiVersion: twinbuild.dev/v1alpha1
                kind: SystemImage
                metadata: {name: %s, namespace: default}
                spec:
                  sourceDateEpoch: %d
                  layers:
                %s
                  outputs: %s
                  verification: %s
                """.formatted(name, epoch, layers.indent(4).stripTrailing(), outputs, verification);
    }

    private static String tar(String sha) {
        return "- tar: {url: \"https://example.org/rootfs.tar\", sha256: \"" + sha + "\"}";
    }

    /** Invalid manifests and the field both gates must name. */
    private static Map<String, String[]> cases() {
        String ok = "[{format: tar}]";
        String two = "{builds: 2}";
        Map<String, String[]> c = new LinkedHashMap<>();
        c.put("spec.layers[0].tar.sha256", new String[]{manifest("short-sha", tar("abc"), ok, two, 1)});
        c.put("spec.layers[0].oci.image", new String[]{manifest("tagged",
                "- oci: {image: \"registry.example.org/base/debian:12\"}", ok, two, 1)});
        c.put("spec.layers[0]", new String[]{manifest("two-kinds",
                "- {tar: {url: \"https://example.org/r.tar\", sha256: \"" + SHA + "\"}, oci: {image: \"" + OCI + "\"}}",
                ok, two, 1)});
        c.put("spec.layers[0].files[0].mode", new String[]{manifest("bad-mode",
                "- files: [{path: /etc/hostname, content: \"x\", mode: \"rwxr-xr-x\"}]", ok, two, 1)});
        c.put("spec.verification.builds", new String[]{manifest("one-build", tar(SHA), ok, "{builds: 1}", 1)});
        c.put("spec.verification.timeoutSeconds", new String[]{manifest("short-timeout", tar(SHA), ok,
                "{builds: 2, timeoutSeconds: 5}", 1)});
        c.put("spec.sourceDateEpoch", new String[]{manifest("before-epoch", tar(SHA), ok, two, -1)});
        c.put("spec.outputs", new String[]{manifest("no-outputs", tar(SHA), "[]", two, 1)});
        c.put("spec.layers[0].tar.url", new String[]{manifest("long-url",
                "- tar: {url: \"https://example.org/" + "x".repeat(4100) + "\", sha256: \"" + SHA + "\"}", ok, two, 1)});
        c.put("spec.exclude[0]", new String[]{manifest("long-glob", tar(SHA), ok, two, 1)
                .replace("  layers:", "  exclude: [\"/" + "g".repeat(4100) + "\"]\n  layers:")});
        c.put("spec.builderImage", new String[]{manifest("long-image", tar(SHA), ok, two, 1)
                .replace("  layers:", "  builderImage: \"registry.example/" + "b".repeat(1100) + ":1\"\n  layers:")});
        c.put("spec.layers", new String[]{manifest("no-layers", "", ok, two, 1).replace("  layers:\n",
                "  layers: []\n")});
        return c;
    }

    @Test
    void theCliAndTheApiServerRefuseTheSameSpecsNamingTheSameField() {
        for (var e : cases().entrySet()) {
            String field = e.getKey();
            String yaml = e.getValue()[0];
            assertThatThrownBy(() -> Manifests.parse(yaml, "test.yaml")).as("CLI on %s", field)
                    .isInstanceOf(InputException.class).hasMessageContaining(field);
            GenericKubernetesResource r = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
            assertThatThrownBy(() -> client.resource(r).create()).as("API server on %s", field)
                    .isInstanceOfSatisfying(KubernetesClientException.class, k -> {
                        assertThat(k.getCode()).isEqualTo(422);
                        assertThat(k.getMessage()).contains(field);
                    });
        }
    }

    @Test
    void aValidSpecPassesBoth() {
        String yaml = manifest("fine", tar(SHA) + "\n- oci: {image: \"" + OCI + "\"}", "[{format: tar.zst}]",
                "{builds: 2}", 1_700_000_000L);
        assertThat(Manifests.parse(yaml, "test.yaml").spec.layers).hasSize(2);
        GenericKubernetesResource r = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
        assertThat(client.resource(r).create().getMetadata().getUid()).isNotBlank();
    }
}
