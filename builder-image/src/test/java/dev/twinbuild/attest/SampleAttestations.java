package dev.twinbuild.attest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** Statements shaped like the operator's (see the operator's attest package), signed with a test key. */
public final class SampleAttestations {
    public static final String ARTIFACT_TEXT = "the artifact\n";

    private SampleAttestations() {
    }

    public static Map<String, Object> vsa(List<Statements.Subject> subjects) {
        return Statements.statement(subjects, Statements.VSA, Map.of(
                "verifier", Map.of("id", "https://twinbuild.dev/operator"),
                "timeVerified", "2026-11-29T12:00:00Z",
                "resourceUri", "s3://twinbuild/ns/minimal/0123456789abcdef/",
                "policy", Map.of("uri", "https://twinbuild.dev/policies/reproducible/v1"),
                "verificationResult", "PASSED",
                "verifiedLevels", List.of(Statements.REPRODUCIBLE_LEVEL),
                "slsaVersion", "1.0",
                "reproducibility", Map.of("builds", 2, "nodes", List.of("node-a", "node-b"))));
    }

    public static Map<String, Object> provenance(List<Statements.Subject> subjects) {
        return Statements.statement(subjects, Statements.PROVENANCE, Map.of(
                "buildDefinition", Map.of("buildType", Statements.BUILD_TYPE,
                        "externalParameters", Map.of("spec", Map.of("sourceDateEpoch", 1700000000)),
                        "resolvedDependencies", List.of()),
                "runDetails", Map.of("builder", Map.of("id", "https://twinbuild.dev/operator"))));
    }

    public static Dsse.Envelope sign(Map<String, Object> statement, KeyPair key) {
        return Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, Statements.canonical(statement), key.getPrivate(),
                Keys.keyId(key.getPublic()));
    }

    /** The same envelope with another payload, keeping the signature: what an attacker can do without the key. */
    public static Dsse.Envelope withPayload(Dsse.Envelope e, byte[] payload) {
        return new Dsse.Envelope(e.payloadType(), Base64.getEncoder().encodeToString(payload), e.signatures());
    }

    public static String sha256(String text) {
        return dev.twinbuild.store.Sha256.hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes artifact, envelope and key into {@code dir}; returns the three paths. */
    public static Path[] files(Path dir, Dsse.Envelope e, KeyPair key) throws java.io.IOException {
        Path artifact = Files.writeString(dir.resolve("minimal.tar"), ARTIFACT_TEXT);
        Path env = Files.write(dir.resolve("vsa.intoto.json"), e.toJson());
        Path pub = Files.writeString(dir.resolve("pub.pem"), Keys.publicPem(key.getPublic()));
        return new Path[]{artifact, env, pub};
    }
}
