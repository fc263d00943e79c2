package dev.twinbuild.attest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/**
 * DSSE v1 (github.com/secure-systems-lab/dsse): an envelope whose signatures cover the pre-authentication
 * encoding of payload type and payload, never the JSON around them. Signatures are ECDSA P-256 with SHA-256
 * in ASN.1 DER, as cosign, in-toto and {@code openssl dgst -sha256 -verify} read them.
 */
public final class Dsse {
    public static final String IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
    public static final String ALGORITHM = "SHA256withECDSA";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private Dsse() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"keyid", "sig"})
    public record Sig(String keyid, String sig) {
    }

    /** @param payload base64 (standard alphabet, padded) of the serialized statement */
    @JsonPropertyOrder({"payloadType", "payload", "signatures"})
    public record Envelope(String payloadType, String payload, List<Sig> signatures) {
        public byte[] payloadBytes() {
            return Base64.getDecoder().decode(payload);
        }

        public byte[] toJson() {
            try {
                return JSON.writeValueAsBytes(this);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** @throws IllegalArgumentException naming what is wrong with the JSON */
        public static Envelope parse(byte[] json) {
            Envelope e;
            try {
                e = JSON.readValue(json, Envelope.class);
            } catch (JsonProcessingException ex) {
                throw new IllegalArgumentException("not a DSSE envelope (JSON): " + ex.getOriginalMessage(), ex);
            } catch (java.io.IOException ex) {
                throw new IllegalArgumentException("cannot read the envelope: " + ex.getMessage(), ex);
            }
            if (e == null || e.payloadType == null || e.payload == null || e.signatures == null) {
                throw new IllegalArgumentException("not a DSSE envelope: payloadType, payload and signatures are required");
            }
            try {
                e.payloadBytes();
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("DSSE payload is not base64: " + ex.getMessage(), ex);
            }
            return e;
        }
    }

    /** {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}, lengths in ASCII decimal bytes. */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    public static Envelope sign(String payloadType, byte[] payload, PrivateKey key, String keyid) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(pae(payloadType, payload));
            Base64.Encoder b64 = Base64.getEncoder();
            return new Envelope(payloadType, b64.encodeToString(payload), List.of(new Sig(keyid, b64.encodeToString(s.sign()))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
        }
    }

    /** Whether any signature of the envelope verifies with {@code key} over the PAE (a bad signature is false). */
    public static boolean verifies(Envelope e, PublicKey key) {
        byte[] pae = pae(e.payloadType(), e.payloadBytes());
        for (Sig sig : e.signatures()) {
            try {
                Signature s = Signature.getInstance(ALGORITHM);
                s.initVerify(key);
                s.update(pae);
                if (sig.sig() != null && s.verify(Base64.getDecoder().decode(sig.sig()))) {
                    return true;
                }
            } catch (GeneralSecurityException | IllegalArgumentException ex) {
                // malformed signature bytes: this signature does not verify; try the next
            }
        }
        return false;
    }
}
