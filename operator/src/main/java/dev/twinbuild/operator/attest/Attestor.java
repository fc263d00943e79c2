package dev.twinbuild.operator.attest;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.attest.Dsse;
import dev.twinbuild.attest.Statements;
import dev.twinbuild.operator.api.v1alpha1.Attestation;
import dev.twinbuild.operator.api.v1alpha1.BuildStatus;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.store.S3Access;
import dev.twinbuild.operator.store.StoreClients;
import dev.twinbuild.redaction.Redaction;
import dev.twinbuild.store.Sha256;
import dev.twinbuild.store.StoreException;
import dev.twinbuild.store.Stores;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs each verdict: an SLSA provenance per build (reproducible or not) and, when the builds agreed, an
 * SLSA verification summary over the artifacts; DSSE envelopes put beside the artifacts
 * ({@code <namespace>/<name>/<spec hash>/attestations/}) and listed in {@code status.attestations}. The
 * operator writes only what it made itself and reads no tenant data. Only for S3 stores: a PVC is not
 * mounted in the operator.
 */
public class Attestor {
    private static final Logger LOG = Logger.getLogger(Attestor.class);
    public static final Duration RETRY = Duration.ofSeconds(30);

    /** @param builderId SLSA builder.id / verifier.id: who states the verdict */
    public record Config(boolean enabled, String namespace, String secretName, String configMapName, String builderId) {
    }

    private final KeySource keys;
    private final StoreClients stores;
    private final Config config;
    /** Verdicts whose attestations the store refused for good: not tried again until a restart. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private volatile SigningKey key;

    /** Where the key comes from (the API server; a test may hand one in). */
    @FunctionalInterface
    public interface KeySource {
        SigningKey load();
    }

    public Attestor(KeySource keys, StoreClients stores, Config config) {
        this.keys = keys;
        this.stores = stores;
        this.config = config;
    }

    public static Attestor disabled() {
        return new Attestor(() -> null, null, new Config(false, null, null, null, null));
    }

    /** The key, made or read once; the first caller waits for the API server (at start, or with the first verdict). */
    public SigningKey key() {
        SigningKey k = key;
        if (k == null) {
            synchronized (this) {
                if (key == null) {
                    key = keys.load();
                }
                k = key;
            }
        }
        return k;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** A verdict of this status still lacks its attestations (a pass that wrote it could not store them). */
    public boolean due(SystemImage si, SystemImageStatus status, ArtifactStore store) {
        return config.enabled() && status != null && store != null && store.s3 != null
                && (status.phase == Phase.Reproducible || status.phase == Phase.Unreproducible)
                && status.attestations.isEmpty() && !refused.contains(id(si, status.specHash));
    }

    /**
     * Adds the attestations of {@code next}'s verdict to it (nothing for other phases).
     *
     * @return when to try again after a transient failure, else null
     */
    public Instant attest(SystemImage si, String specHash, ArtifactStore store, SystemImageStatus next,
                          String builderImage, Instant now) {
        if (!due(si, next, store)) {
            return null;
        }
        try {
            next.attestations = write(si, specHash, store, next, builderImage);
            return null;
        } catch (StoreException e) {
            LOG.warnf("%s: no attestations yet: %s", id(si, specHash), Redaction.redact(e.getMessage()));
            if (!e.isTransient()) {
                refused.add(id(si, specHash));
                return null;
            }
            return now.plus(RETRY);
        } catch (KubernetesClientException | IOException | IllegalStateException | IllegalArgumentException e) {
            LOG.warnf("%s: no attestations yet (signing key): %s", id(si, specHash), Redaction.redact(e.toString()));
            return now.plus(RETRY);
        }
    }

    private List<Attestation> write(SystemImage si, String specHash, ArtifactStore store, SystemImageStatus status,
                                    String builderImage) throws IOException {
        SigningKey k = key();
        String ns = si.getMetadata().getNamespace();
        S3Access s3 = stores.s3(ns, store);
        String b0 = Stores.buildPrefix(store, ns, si.getMetadata().getName(), specHash, 0);
        String dir = b0.substring(0, b0.lastIndexOf('/'));
        VerdictStatements statements = new VerdictStatements(si, specHash, config.builderId(), builderImage);
        List<Attestation> out = new ArrayList<>();
        Map<String, String> inputs = new LinkedHashMap<>();
        Path tmp = Files.createTempFile("twinbuild-attestation-", ".json");
        try {
            for (BuildStatus b : status.builds) {
                Attestation a = put(s3, dir + "/attestations/" + b.name + ".provenance.intoto.json",
                        statements.provenance(b), k, tmp, Statements.PROVENANCE, b.name);
                inputs.put(a.location, a.sha256);
                out.add(a);
            }
            if (status.phase == Phase.Reproducible) {
                out.add(put(s3, dir + "/attestations/vsa.intoto.json",
                        statements.summary(status.builds, status.artifacts, inputs, Stores.location(store, dir + "/")),
                        k, tmp, Statements.VSA, null));
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return out;
    }

    private static Attestation put(S3Access s3, String key, Map<String, Object> statement, SigningKey k, Path tmp,
                                   String type, String build) throws IOException {
        Dsse.Envelope e = Dsse.sign(Dsse.IN_TOTO_PAYLOAD_TYPE, Statements.canonical(statement), k.privateKey(), k.keyId());
        Files.write(tmp, e.toJson());
        String sha = Sha256.hex(tmp);
        return new Attestation(type, build, s3.put(key, tmp, sha).location(), sha, k.keyId());
    }

    private static String id(SystemImage si, String specHash) {
        return si.getMetadata().getNamespace() + "/" + si.getMetadata().getName() + "@" + specHash;
    }
}
