package dev.twinbuild.manifest;

import dev.twinbuild.pipeline.InputException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CLI refuses what the CRD schema refuses, and says which field is wrong. */
class ManifestsTest {
    static final String GOOD = """
            apiVersion: twinbuild.dev/v1alpha1
            kind: SystemImage
            metadata: {name: ok}
            spec:
              sourceDateEpoch: 1700000000
              layers:
                - tar: {url: a.tar, sha256: "%s"}
                - oci: {image: "registry.example/busybox@sha256:%s"}
                - files: [{path: /etc/hostname, content: "x\\n", mode: "0600"}]
              outputs: [{format: tar}, {format: cpio.gz}]
              verification: {builds: 3, variations: [time, umask]}
            """.formatted("a".repeat(64), "b".repeat(64));

    private static InputException refused(String from, String to) {
        String yaml = GOOD.replace(from, to);
        assertThat(yaml).isNotEqualTo(GOOD);
        try {
            Manifests.parse(yaml, "test.yaml");
        } catch (InputException e) {
            return e;
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void aValidManifestParses() {
        SystemImageDocument doc = Manifests.parse(GOOD, "test.yaml");
        assertThat(doc.name()).isEqualTo("ok");
        assertThat(doc.spec.layers).hasSize(3);
        assertThat(doc.spec.verificationOrDefault().buildsOrDefault()).isEqualTo(3);
    }

    @Test
    void eachMistakeNamesItsField() {
        assertThat(refused("sha256: \"" + "a".repeat(64) + "\"", "sha256: \"abc\"").field())
                .isEqualTo("spec.layers[0].tar.sha256");
        assertThat(refused(", sha256: \"" + "a".repeat(64) + "\"", "").getMessage())
                .contains("spec.layers[0].tar.sha256").contains("unpinned");
        assertThat(refused("busybox@sha256:" + "b".repeat(64), "busybox:latest").field())
                .isEqualTo("spec.layers[1].oci.image");
        assertThat(refused("builds: 3", "builds: 1").field()).isEqualTo("spec.verification.builds");
        assertThat(refused("{format: tar}", "{format: vmdk}").field()).isEqualTo("spec.outputs[0].format");
        assertThat(refused("sourceDateEpoch: 1700000000", "sourceDateEpoch: -1").field())
                .isEqualTo("spec.sourceDateEpoch");
        assertThat(refused("variations: [time, umask]", "variations: [time, moon]").field())
                .isEqualTo("spec.verification.variations[1]");
        assertThat(refused("mode: \"0600\"", "mode: \"rwx\"").field()).isEqualTo("spec.layers[2].files[0].mode");
        assertThat(refused("path: /etc/hostname", "path: etc/../../hostname").field())
                .isEqualTo("spec.layers[2].files[0].path");
        assertThat(refused("  outputs:", "  colour: blue\n  outputs:").getMessage())
                .contains("spec.colour").contains("unknown field");
        assertThat(refused("kind: SystemImage", "kind: Pod").field()).isEqualTo("kind");
        assertThat(refused("{name: ok}", "{name: Not_OK}").field()).isEqualTo("metadata.name");
        assertThat(refused("- files: [{path: /etc/hostname, content: \"x\\n\", mode: \"0600\"}]",
                "- {}").getMessage()).contains("spec.layers[2]").contains("exactly one of");
        assertThat(refused("{format: tar}, {format: cpio.gz}", "{format: tar}, {format: tar}").field())
                .isEqualTo("spec.outputs[1].name");
    }

    @Test
    void notYamlIsRefused() {
        assertThatThrownBy(() -> Manifests.parse("spec: \"unterminated", "x.yaml")).isInstanceOf(InputException.class)
                .hasMessageContaining("x.yaml").hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> Manifests.parse("spec: [a, b]", "x.yaml")).isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec: ");
    }

    @Test
    void canonicalJsonSortsKeys() {
        String json = new String(Manifests.canonicalJson(java.util.Map.of("b", 1, "a", java.util.Map.of("d", 1, "c", 2))),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json.replaceAll("\\s", "")).isEqualTo("{\"a\":{\"c\":2,\"d\":1},\"b\":1}");
    }
}
