package dev.twinbuild.attest;

import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ECDSA P-256 keys in PEM: private keys as PKCS#8 ({@code PRIVATE KEY}), public keys as SubjectPublicKeyInfo
 * ({@code PUBLIC KEY}) — what openssl, cosign and in-toto read. The key id is the SHA-256 of the public key's
 * DER, hex.
 */
public final class Keys {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    private Keys() {
    }

    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no ECDSA P-256 in this JDK: " + e.getMessage(), e);
        }
    }

    public static String privatePem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    public static String publicPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** @throws IllegalArgumentException when the text holds no P-256 key of that kind */
    public static PrivateKey readPrivate(String pem) {
        try {
            PrivateKey k = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der(pem, "PRIVATE KEY")));
            requireP256(((ECPrivateKey) k).getParams());
            return k;
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not an ECDSA P-256 private key (PKCS#8 PEM): " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException when the text holds no P-256 public key */
    public static PublicKey readPublic(String pem) {
        try {
            PublicKey k = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der(pem, "PUBLIC KEY")));
            requireP256(((ECPublicKey) k).getParams());
            return k;
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("not an ECDSA P-256 public key (PEM): " + e.getMessage(), e);
        }
    }

    public static String keyId(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireP256(ECParameterSpec params) throws GeneralSecurityException {
        AlgorithmParameters p256 = AlgorithmParameters.getInstance("EC");
        p256.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec expected = p256.getParameterSpec(ECParameterSpec.class);
        if (!params.getOrder().equals(expected.getOrder()) || !params.getCurve().equals(expected.getCurve())) {
            throw new GeneralSecurityException("curve is not P-256");
        }
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(String pem, String type) throws GeneralSecurityException {
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                try {
                    return Base64.getMimeDecoder().decode(m.group(2));
                } catch (IllegalArgumentException e) {
                    throw new GeneralSecurityException("bad base64 in PEM: " + e.getMessage(), e);
                }
            }
        }
        throw new GeneralSecurityException("no '-----BEGIN " + type + "-----' block");
    }
}
