package dev.twinbuild.attest;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks a DSSE envelope the way a consumer of a Twinbuild verdict should: the signature over the PAE with
 * the operator's public key, then (only then) the payload: an in-toto Statement v1 whose subject carries
 * the artifact's SHA-256, with a predicate of the expected type whose content says what Twinbuild states.
 */
public final class AttestationVerifier {
    private static final Set<String> KNOWN = Set.of(Statements.PROVENANCE, Statements.VSA);

    private AttestationVerifier() {
    }

    /** Verification failed (exit 1): the message says which check. */
    public static final class Failure extends Exception {
        public Failure(String message) {
            super(message);
        }
    }

    /** @param subject the subject name that carries the artifact's digest */
    public record Verified(String predicateType, String subject, JsonNode statement) {
    }

    /**
     * @param sha256        the artifact's digest (64 hex)
     * @param predicateType the expected predicate type, or null for either of Twinbuild's
     */
    public static Verified verify(Dsse.Envelope envelope, PublicKey key, String sha256, String predicateType)
            throws Failure {
        if (!Dsse.IN_TOTO_PAYLOAD_TYPE.equals(envelope.payloadType())) {
            throw new Failure("payloadType is '" + envelope.payloadType() + "', expected " + Dsse.IN_TOTO_PAYLOAD_TYPE);
        }
        if (envelope.signatures().isEmpty()) {
            throw new Failure("the envelope has no signature");
        }
        if (!Dsse.verifies(envelope, key)) {
            throw new Failure("no signature of the envelope verifies with the public key (key id "
                    + Keys.keyId(key) + ")");
        }
        JsonNode st;
        try {
            st = Statements.mapper().readTree(envelope.payloadBytes());
        } catch (IOException e) {
            throw new Failure("the signed payload is not JSON: " + e.getMessage());
        }
        if (st == null || !Statements.STATEMENT_TYPE.equals(st.path("_type").asText())) {
            throw new Failure("the payload is not an in-toto Statement v1 (_type " + st.path("_type") + ")");
        }
        String type = st.path("predicateType").asText();
        if (predicateType != null ? !predicateType.equals(type) : !KNOWN.contains(type)) {
            throw new Failure("predicateType is '" + type + "', expected "
                    + (predicateType != null ? predicateType : String.join(" or ", KNOWN.stream().sorted().toList())));
        }
        String subject = null;
        List<String> names = new ArrayList<>();
        for (JsonNode s : st.path("subject")) {
            names.add(s.path("name").asText());
            if (sha256.equalsIgnoreCase(s.path("digest").path("sha256").asText())) {
                subject = s.path("name").asText();
            }
        }
        if (subject == null) {
            throw new Failure("no subject has sha256 " + sha256 + " (subjects: " + String.join(", ", names) + ")");
        }
        checkPredicate(type, st.path("predicate"));
        return new Verified(type, subject, st);
    }

    private static void checkPredicate(String type, JsonNode p) throws Failure {
        if (Statements.PROVENANCE.equals(type)) {
            require(Statements.BUILD_TYPE.equals(p.path("buildDefinition").path("buildType").asText()),
                    "buildDefinition.buildType is not " + Statements.BUILD_TYPE);
            require(p.path("buildDefinition").path("externalParameters").path("spec").isObject(),
                    "buildDefinition.externalParameters.spec is missing");
            require(!p.path("runDetails").path("builder").path("id").asText().isEmpty(), "runDetails.builder.id is missing");
        } else if (Statements.VSA.equals(type)) {
            require("PASSED".equals(p.path("verificationResult").asText()),
                    "verificationResult is '" + p.path("verificationResult").asText() + "', not PASSED");
            boolean level = false;
            for (JsonNode l : p.path("verifiedLevels")) {
                level |= Statements.REPRODUCIBLE_LEVEL.equals(l.asText());
            }
            require(level, "verifiedLevels does not contain " + Statements.REPRODUCIBLE_LEVEL);
            require(!p.path("verifier").path("id").asText().isEmpty(), "verifier.id is missing");
            require(p.path("reproducibility").path("builds").asInt() >= 2,
                    "reproducibility.builds is not at least 2");
        }
    }

    private static void require(boolean ok, String message) throws Failure {
        if (!ok) {
            throw new Failure("predicate: " + message);
        }
    }
}
