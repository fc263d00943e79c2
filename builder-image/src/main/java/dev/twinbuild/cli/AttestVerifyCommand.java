package dev.twinbuild.cli;

import dev.twinbuild.attest.AttestationVerifier;
import dev.twinbuild.attest.Dsse;
import dev.twinbuild.attest.Keys;
import dev.twinbuild.attest.Statements;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.store.Sha256;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Checks an attestation of an artifact: the DSSE signature over the pre-authentication "
                + "encoding with the public key, the artifact's SHA-256 among the statement's subjects, and the "
                + "predicate (type and content).",
                "Exit 0 verified, 1 verification failed, 2 bad input."})
public class AttestVerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ARTIFACT", description = "the artifact file (or --digest)")
    Path artifact;

    @Option(names = "--digest", paramLabel = "sha256:HEX", description = "the artifact's digest instead of the file")
    String digest;

    @Option(names = "--attestation", required = true, paramLabel = "FILE", description = "the DSSE envelope (JSON)")
    Path attestation;

    @Option(names = "--key", required = true, paramLabel = "PEM", description = "the operator's public key (PEM)")
    Path key;

    @Option(names = "--type", paramLabel = "TYPE",
            description = "expected predicate: provenance, vsa or a predicate type URI (default: either)")
    String type;

    @Override
    public Integer call() {
        if ((artifact == null) == (digest == null)) {
            throw new InputException("ARTIFACT", "give the artifact file or --digest sha256:<64 hex>, not both or neither");
        }
        String sha256 = artifact != null ? hashFile(artifact) : parseDigest(digest);
        PublicKey pub;
        try {
            pub = Keys.readPublic(read(key));
        } catch (IllegalArgumentException e) {
            throw new InputException(key.toString(), e.getMessage());
        }
        Dsse.Envelope envelope;
        try {
            envelope = Dsse.Envelope.parse(Files.readAllBytes(existing(attestation)));
        } catch (IllegalArgumentException e) {
            throw new InputException(attestation.toString(), e.getMessage());
        } catch (IOException e) {
            throw new InputException(attestation.toString(), "cannot read: " + e.getMessage());
        }
        try {
            AttestationVerifier.Verified v = AttestationVerifier.verify(envelope, pub, sha256, predicateType());
            System.out.println("verified: " + v.predicateType() + " for " + v.subject() + " (sha256:" + sha256
                    + "), signed by key " + Keys.keyId(pub));
            return Main.OK;
        } catch (AttestationVerifier.Failure f) {
            System.err.println("twinbuild: attestation verification failed: " + f.getMessage());
            return Main.DIFFERS;
        }
    }

    private String predicateType() {
        if (type == null) {
            return null;
        }
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "provenance", "slsaprovenance1" -> Statements.PROVENANCE;
            case "vsa" -> Statements.VSA;
            default -> {
                if (!type.startsWith("https://")) {
                    throw new InputException("--type", "'" + type + "' is not provenance, vsa or an https:// URI");
                }
                yield type;
            }
        };
    }

    private static String parseDigest(String d) {
        String hex = d.startsWith("sha256:") ? d.substring(7) : d;
        if (!hex.matches("[0-9a-fA-F]{64}")) {
            throw new InputException("--digest", "'" + d + "' is not sha256:<64 hex>");
        }
        return hex.toLowerCase(Locale.ROOT);
    }

    private static String hashFile(Path p) {
        try {
            return Sha256.hex(existing(p));
        } catch (java.io.UncheckedIOException e) {
            throw new InputException(p.toString(), "cannot read: " + e.getMessage());
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(existing(p));
        } catch (IOException e) {
            throw new InputException(p.toString(), "cannot read: " + e.getMessage());
        }
    }

    private static Path existing(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new InputException(p.toString(), "no such file");
        }
        return p;
    }
}
