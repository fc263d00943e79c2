package dev.twinbuild.attest;

import dev.twinbuild.testing.Commands;
import dev.twinbuild.testing.Required;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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

/**
 * Our envelopes checked by verifiers nobody here wrote: sigstore's cosign (built by e2e/cosign/build.sh at a
 * pinned version) and plain openssl over the DSSE pre-authentication encoding.
 */
class AttestationInteropTest {
    private static final KeyPair KEY = Keys.generate();
    private static Path cosign;

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() throws IOException {
        Required.tools("openssl");
        Path script = Path.of(System.getProperty("twinbuild.repo", "..")).resolve("e2e/cosign/build.sh").toAbsolutePath();
        Commands.Result r = Commands.run(Path.of("."), Map.of("TWINBUILD_COSIGN_CACHED_ONLY", "1"),
                List.of("bash", script.toString()));
        if (r.exit() != 0) {
            Required.missing(r.stderr().strip());
            return;
        }
        cosign = Path.of(r.stdout().strip().lines().reduce((a, b) -> b).orElseThrow());
    }

    private Commands.Result cosign(Path pub, Path envelope, Path artifact, String type) throws IOException {
        return Commands.run(tmp, Map.of(), List.of(cosign.toString(), "verify-blob-attestation", "--key", pub.toString(),
                "--insecure-ignore-tlog", "--type", type, "--signature", envelope.toString(), artifact.toString()));
    }

    @Test
    void cosignVerifiesTheVsaAndRejectsTampering() throws IOException {
        Dsse.Envelope e = SampleAttestations.sign(SampleAttestations.vsa(List.of(
                new Statements.Subject("minimal.tar", sha256(ARTIFACT_TEXT)))), KEY);
        Path[] f = SampleAttestations.files(tmp, e, KEY);
        Commands.Result ok = cosign(f[2], f[1], f[0], Statements.VSA);
        assertThat(ok.exit()).as(ok.stdout() + ok.stderr()).isZero();
        assertThat(ok.stderr()).contains("Verified OK");
        Commands.Result prov = cosign(f[2], f[1], f[0], Statements.PROVENANCE);
        assertThat(prov.exit()).as("another predicate type").isNotZero();

        // tampered artifact
        Path other = Files.writeString(tmp.resolve("other.tar"), ARTIFACT_TEXT + "tampered");
        assertThat(cosign(f[2], f[1], other, Statements.VSA).exit()).isNotZero();
        // tampered subject: the digest in the payload is the other artifact's, the signature kept
        String payload = new String(e.payloadBytes(), StandardCharsets.UTF_8);
        Path subject = Files.write(tmp.resolve("subject.json"), SampleAttestations.withPayload(e,
                payload.replace(sha256(ARTIFACT_TEXT), sha256(ARTIFACT_TEXT + "tampered"))
                        .getBytes(StandardCharsets.UTF_8)).toJson());
        Commands.Result r = cosign(f[2], subject, other, Statements.VSA);
        assertThat(r.exit()).as(r.stderr()).isNotZero();
        // tampered payload (the verdict), the artifact right
        Path verdict = Files.write(tmp.resolve("verdict.json"), SampleAttestations.withPayload(e,
                payload.replace("node-b", "node-x").getBytes(StandardCharsets.UTF_8)).toJson());
        assertThat(cosign(f[2], verdict, f[0], Statements.VSA).exit()).isNotZero();
        // a validly signed statement about another artifact: cosign checks the subject itself
        Dsse.Envelope elsewhere = SampleAttestations.sign(SampleAttestations.vsa(List.of(
                new Statements.Subject("minimal.tar", sha256("something else")))), KEY);
        Path signedOther = Files.write(tmp.resolve("elsewhere.json"), elsewhere.toJson());
        assertThat(cosign(f[2], signedOther, f[0], Statements.VSA).exit()).isNotZero();
        // another key
        Path otherKey = Files.writeString(tmp.resolve("other.pem"), Keys.publicPem(Keys.generate().getPublic()));
        assertThat(cosign(otherKey, f[1], f[0], Statements.VSA).exit()).isNotZero();
    }

    @Test
    void cosignVerifiesTheProvenance() throws IOException {
        Dsse.Envelope e = SampleAttestations.sign(SampleAttestations.provenance(List.of(
                new Statements.Subject("minimal.tar", sha256(ARTIFACT_TEXT)))), KEY);
        Path[] f = SampleAttestations.files(tmp, e, KEY);
        Commands.Result ok = cosign(f[2], f[1], f[0], "slsaprovenance1");
        assertThat(ok.exit()).as(ok.stdout() + ok.stderr()).isZero();
    }

    @Test
    void opensslVerifiesTheSignatureOverThePae() throws IOException {
        Dsse.Envelope e = SampleAttestations.sign(SampleAttestations.vsa(List.of(
                new Statements.Subject("minimal.tar", sha256(ARTIFACT_TEXT)))), KEY);
        Path pub = Files.writeString(tmp.resolve("pub.pem"), Keys.publicPem(KEY.getPublic()));
        Path sig = Files.write(tmp.resolve("sig.der"), Base64.getDecoder().decode(e.signatures().get(0).sig()));
        Path pae = Files.write(tmp.resolve("pae.bin"), Dsse.pae(e.payloadType(), e.payloadBytes()));
        Commands.Result ok = openssl(pub, sig, pae);
        assertThat(ok.exit()).as(ok.stderr()).isZero();
        assertThat(ok.stdout()).contains("Verified OK");
        byte[] tampered = Dsse.pae(e.payloadType(), new String(e.payloadBytes(), StandardCharsets.UTF_8)
                .replace("PASSED", "FAILED").getBytes(StandardCharsets.UTF_8));
        Path bad = Files.write(tmp.resolve("bad.bin"), tampered);
        Commands.Result no = openssl(pub, sig, bad);
        assertThat(no.exit()).isNotZero();
        assertThat(no.stdout()).contains("Verification failure");
    }

    private Commands.Result openssl(Path pub, Path sig, Path data) throws IOException {
        return Commands.run(tmp, Map.of(), List.of("openssl", "dgst", "-sha256", "-verify", pub.toString(),
                "-signature", sig.toString(), data.toString()));
    }
}
