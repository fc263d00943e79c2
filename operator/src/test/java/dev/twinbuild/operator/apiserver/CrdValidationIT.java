package dev.twinbuild.operator.apiserver;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad specs are refused by the API server itself, with messages that name the field. */
class CrdValidationIT {
    private static KubernetesClient client;

    @BeforeAll
    static void cluster() throws Exception {
        client = ApiServer.client();
    }

    private static final String VALID = """
            apiVersion: twinbuild.dev/v1alpha1
            kind: SystemImage
            metadata: {name: NAME, namespace: default}
            spec:
              sourceDateEpoch: 1700000000
              layers:
                - tar: {url: "https://example.org/rootfs.tar", sha256: "%s"}
                - oci: {image: "%s"}
              outputs: [{format: "%s"}]
              verification: {builds: %d}
            """;

    private static String manifest(String name, String sha, String oci, String format, int builds) {
        return VALID.formatted(sha, oci, format, builds).replace("NAME", name);
    }

    private static final String SHA = "a".repeat(64);
    private static final String OCI = "registry.example.org/base/debian@sha256:" + "b".repeat(64);

    private static String rejection(String yaml) {
        GenericKubernetesResource r = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
        try {
            client.resource(r).create();
        } catch (KubernetesClientException e) {
            assertThat(e.getCode()).isEqualTo(422);
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void aValidSpecIsAccepted() {
        GenericKubernetesResource r = Serialization.unmarshal(manifest("ok", SHA, OCI, "tar.zst", 2),
                GenericKubernetesResource.class);
        assertThat(client.resource(r).create().getMetadata().getUid()).isNotBlank();
    }

    @Test
    void badSpecsAreRefusedWithReadableMessages() {
        assertThat(rejection(manifest("nosha", "", OCI, "tar", 2).replace("sha256: \"\"", "sha256: null")))
                .contains("spec.layers[0].tar.sha256", "Required value");
        assertThat(rejection(manifest("badsha", "xyz", OCI, "tar", 2)))
                .contains("spec.layers[0].tar.sha256", "should match");
        assertThat(rejection(manifest("tagged", SHA, "registry.example.org/base/debian:12", "tar", 2)))
                .contains("spec.layers[1].oci.image", "should match");
        assertThat(rejection(manifest("single", SHA, OCI, "tar", 1)))
                .contains("spec.verification.builds", "greater than or equal to 2");
        assertThat(rejection(manifest("qcow", SHA, OCI, "qcow2", 2)))
                .contains("spec.outputs[0].format", "Unsupported value: \"qcow2\"");
        assertThat(rejection(manifest("twokinds", SHA, OCI, "tar", 2)
                .replace("- oci: {image: \"" + OCI + "\"}", "- {oci: {image: \"" + OCI + "\"}, files: [{path: /x}]}")))
                .contains("exactly one of tar, oci, files or packages");
    }

    @Test
    void listsAndStringsAreBounded() {
        String outputs = "outputs: [" + "{format: tar}, ".repeat(65) + "{format: tar}]";
        assertThat(rejection(manifest("many-outputs", SHA, OCI, "tar", 2).replace("outputs: [{format: \"tar\"}]", outputs)))
                .contains("spec.outputs", "must have at most 64 items");
        assertThat(rejection(manifest("long-url", SHA, OCI, "tar", 2)
                .replace("https://example.org/rootfs.tar", "https://example.org/" + "x".repeat(4100))))
                .contains("spec.layers[0].tar.url", "may not be more than 4096");
    }
}
