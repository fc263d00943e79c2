package dev.twinbuild.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The token service of distribution's token auth (what Docker Hub and most registries run beside the
 * registry): checks Basic credentials and issues ES256 JWTs carrying the granted repository actions, signed
 * by a key made with openssl whose certificate the registry trusts ({@code rootcertbundle}).
 */
public final class TokenIssuer implements AutoCloseable {
    public static final String SERVICE = "twinbuild-registry";
    public static final String ISSUER = "twinbuild-test-issuer";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final PrivateKey key;
    private final String certDer64;
    private final Path cert;
    public final AtomicInteger issued = new AtomicInteger();
    /** Tokens to issue without any access first (the registry answers 401 on them: a stale token). */
    public final AtomicInteger emptyTokens = new AtomicInteger();

    public TokenIssuer(Path dir) throws Exception {
        Required.tools("openssl");
        Files.createDirectories(dir);
        Path pem = dir.resolve("key.pem");
        cert = dir.resolve("cert.pem");
        run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", pem.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=twinbuild-test-issuer");
        Path der = dir.resolve("key.der");
        run(dir, "openssl", "pkcs8", "-topk8", "-nocrypt", "-in", pem.toString(), "-outform", "DER", "-out",
                der.toString());
        key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(der)));
        X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert)));
        certDer64 = Base64.getEncoder().encodeToString(x509.getEncoded());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", ex -> {
            String expected = "Basic " + Base64.getEncoder().encodeToString((DockerRegistry.USER + ":"
                    + DockerRegistry.PASSWORD).getBytes(StandardCharsets.UTF_8));
            byte[] body;
            int status;
            if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
                body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(StandardCharsets.UTF_8);
            } else {
                Map<String, String> q = query(ex.getRequestURI().getRawQuery());
                boolean empty = emptyTokens.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
                status = 200;
                try {
                    body = JSON.writeValueAsBytes(Map.of("token", jwt(q.get("scope"), empty), "expires_in", 300));
                } catch (java.io.IOException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                issued.incrementAndGet();
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        server.start();
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public Path certificate() {
        return cert;
    }

    /** A token for everything (pull, push) on every repository named in the scope. */
    public String tokenFor(String repository) throws Exception {
        return jwt("repository:" + repository + ":pull,push", false);
    }

    private String jwt(String scope, boolean empty) throws Exception {
        List<Map<String, Object>> access = new ArrayList<>();
        if (scope != null && !empty) {
            String[] parts = scope.split(":");
            access.add(Map.of("type", parts[0], "name", parts[1], "actions", List.of(parts[2].split(","))));
        }
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", DockerRegistry.USER);
        claims.put("aud", SERVICE);
        claims.put("exp", now + 300);
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", Long.toString(System.nanoTime()));
        claims.put("access", access);
        Map<String, Object> header = Map.of("alg", "ES256", "typ", "JWT", "x5c", List.of(certDer64));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + b64.encodeToString(JSON.writeValueAsBytes(claims));
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(s.sign());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    m.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return m;
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
