package dev.twinbuild.attest;

import dev.twinbuild.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.twinbuild.attest.SampleAttestations.ARTIFACT_TEXT;
import static dev.twinbuild.attest.SampleAttestations.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AttestationVerifierTest {
    private static final KeyPair KEY = Keys.generate();
    private static final List<Statements.Subject> SUBJECTS = List.of(
            new Statements.Subject("minimal.tar", sha256(ARTIFACT_TEXT)),
            new Statements.Subject("minimal.tar.gz", sha256("other")));

    @TempDir
    Path tmp;

    @Test
    void paeIsTheDsseV1Encoding() {
        // The example of the DSSE specification (protocol.md).
        assertThat(new String(Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    }

    @Test
    void statementsAreCanonical() {
        byte[] a = Statements.canonical(SampleAttestations.vsa(SUBJECTS));
        assertThat(a).isEqualTo(Statements.canonical(SampleAttestations.vsa(SUBJECTS)));
        String json = new String(a, StandardCharsets.UTF_8);
        assertThat(json).startsWith("{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicate\":{")
                .doesNotContain("\n").doesNotContain(": ");
    }

    @Test
    void keysRoundTripThroughPem() {
        String pub = Keys.publicPem(KEY.getPublic());
        assertThat(pub).startsWith("-----BEGIN PUBLIC KEY-----\n");
        assertThat(Keys.readPublic(pub)).isEqualTo(KEY.getPublic());
        assertThat(Keys.readPrivate(Keys.privatePem(KEY.getPrivate()))).isEqualTo(KEY.getPrivate());
        assertThat(Keys.keyId(KEY.getPublic())).matches("[0-9a-f]{64}");
        assertThatThrownBy(() -> Keys.readPublic("no key")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSignedVsaVerifiesForEachSubject() throws Exception {
        Dsse.Envelope e = Dsse.Envelope.parse(SampleAttestations.sign(SampleAttestations.vsa(SUBJECTS), KEY).toJson());
        var v = AttestationVerifier.verify(e, KEY.getPublic(), sha256(ARTIFACT_TEXT), Statements.VSA);
        assertThat(v.subject()).isEqualTo("minimal.tar");
        assertThat(AttestationVerifier.verify(e, KEY.getPublic(), sha256("other"), null).subject())
                .isEqualTo("minimal.tar.gz");
    }

    @Test
    void tamperingIsRejected() {
        Dsse.Envelope good = SampleAttestations.sign(SampleAttestations.vsa(SUBJECTS), KEY);
        // another artifact
        assertFails(good, sha256("tampered"), "no subject has sha256");
        // a subject's digest changed in the payload (the signature kept)
        String payload = new String(good.payloadBytes(), StandardCharsets.UTF_8);
        assertFails(SampleAttestations.withPayload(good, payload.replace(sha256("other"), sha256("evil"))
                .getBytes(StandardCharsets.UTF_8)), sha256("evil"), "no signature");
        // the payload changed (the verdict)
        assertFails(SampleAttestations.withPayload(good, payload.replace("PASSED", "FAILED")
                .getBytes(StandardCharsets.UTF_8)), sha256(ARTIFACT_TEXT), "no signature");
        // a flipped bit in the signature
        byte[] sig = Base64.getDecoder().decode(good.signatures().get(0).sig());
        sig[sig.length - 1] ^= 1;
        assertFails(new Dsse.Envelope(good.payloadType(), good.payload(), List.of(new Dsse.Sig(
                good.signatures().get(0).keyid(), Base64.getEncoder().encodeToString(sig)))), sha256(ARTIFACT_TEXT),
                "no signature");
        // another payload type (it is signed too: the PAE covers it)
        assertFails(new Dsse.Envelope("application/json", good.payload(), good.signatures()), sha256(ARTIFACT_TEXT),
                "payloadType");
        // someone else's key
        assertThatThrownBy(() -> AttestationVerifier.verify(good, Keys.generate().getPublic(), sha256(ARTIFACT_TEXT),
                null)).hasMessageContaining("no signature");
    }

    @Test
    void aValidlySignedStatementWithTheWrongPredicateIsRejected() {
        Map<String, Object> failed = SampleAttestations.vsa(SUBJECTS);
        @SuppressWarnings("unchecked") Map<String, Object> p = new java.util.HashMap<>((Map<String, Object>) failed.get("predicate"));
        p.put("verificationResult", "FAILED");
        failed.put("predicate", p);
        assertFails(SampleAttestations.sign(failed, KEY), sha256(ARTIFACT_TEXT), "verificationResult is 'FAILED'");
        Dsse.Envelope prov = SampleAttestations.sign(SampleAttestations.provenance(SUBJECTS), KEY);
        assertThatThrownBy(() -> AttestationVerifier.verify(prov, KEY.getPublic(), sha256(ARTIFACT_TEXT), Statements.VSA))
                .hasMessageContaining("predicateType is 'https://slsa.dev/provenance/v1'");
    }

    private static void assertFails(Dsse.Envelope e, String sha256, String message) {
        assertThatThrownBy(() -> AttestationVerifier.verify(e, KEY.getPublic(), sha256, null))
                .isInstanceOf(AttestationVerifier.Failure.class).hasMessageContaining(message);
    }

    @Test
    void cliExitCodes() throws Exception {
        Dsse.Envelope e = SampleAttestations.sign(SampleAttestations.vsa(SUBJECTS), KEY);
        Path[] f = SampleAttestations.files(tmp, e, KEY);
        String env = f[1].toString();
        String pub = f[2].toString();
        assertThat(Main.run("attest", "verify", f[0].toString(), "--attestation", env, "--key", pub)).isEqualTo(0);
        assertThat(Main.run("attest", "verify", "--digest", "sha256:" + sha256("other"), "--attestation", env,
                "--key", pub, "--type", "vsa")).isEqualTo(0);
        assertThat(Main.run("attest", "verify", f[0].toString(), "--attestation", env, "--key", pub,
                "--type", "provenance")).isEqualTo(1);
        // tampered artifact
        Path tampered = Files.writeString(tmp.resolve("tampered.tar"), ARTIFACT_TEXT + "x");
        assertThat(Main.run("attest", "verify", tampered.toString(), "--attestation", env, "--key", pub)).isEqualTo(1);
        // tampered payload
        Path bad = Files.write(tmp.resolve("bad.json"), SampleAttestations.withPayload(e,
                new String(e.payloadBytes(), StandardCharsets.UTF_8).replace("node-b", "node-c")
                        .getBytes(StandardCharsets.UTF_8)).toJson());
        assertThat(Main.run("attest", "verify", f[0].toString(), "--attestation", bad.toString(), "--key", pub))
                .isEqualTo(1);
        // bad input: 2
        assertThat(Main.run("attest", "verify", f[0].toString(), "--attestation", pub, "--key", pub)).isEqualTo(2);
        assertThat(Main.run("attest", "verify", f[0].toString(), "--attestation", env, "--key", env)).isEqualTo(2);
        assertThat(Main.run("attest", "verify", "--digest", "sha256:xyz", "--attestation", env, "--key", pub))
                .isEqualTo(2);
        assertThat(Main.run("attest", "verify", tmp.resolve("missing").toString(), "--attestation", env, "--key", pub))
                .isEqualTo(2);
        assertThat(Main.run("attest", "verify", f[0].toString(), "--key", pub)).isEqualTo(2);
    }
}
