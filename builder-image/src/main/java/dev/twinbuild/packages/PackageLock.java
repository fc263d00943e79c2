package dev.twinbuild.packages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.twinbuild.api.v1alpha1.PackagesLayer;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lock file of a manifest ({@code FILE.lock.json} beside {@code FILE.yaml}): every package each packages
 * layer installs, pinned by SHA-256, with where to fetch it. Written by {@code twinbuild lock}; builds install
 * from it alone and refuse it when it is missing or no longer matches the layer it was resolved for.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public class PackageLock {
    public static final String KIND = "PackageLock";
    private static final long MAX_BYTES = 16L << 20;

    public String apiVersion = "twinbuild.dev/v1alpha1";
    public String kind = KIND;
    public List<LockedLayer> layers = new ArrayList<>();

    /**
     * @param field       the layer, e.g. spec.layers[0]
     * @param inputSha256 SHA-256 of the layer's canonical JSON when it was resolved: a changed layer makes the
     *                    lock stale
     * @param snapshot    the snapshot.debian.org timestamp the fallback URLs use, from the index's Date
     */
    @JsonPropertyOrder(alphabetic = true)
    public record LockedLayer(String field, String inputSha256, String distribution, String suite,
                              String architecture, String mirror, String snapshot, List<LockedPackage> packages) {
    }

    /**
     * One package file: what it is, its SHA-256 and size, the mirror's URL and a permanent fallback, and its
     * priority in the index (an archive override, often not in the file; variants select by it).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder(alphabetic = true)
    public record LockedPackage(String name, String version, String architecture, String priority, long size,
                                String sha256, String url, String fallbackUrl) {
        public String id() {
            return name + "=" + version + " (" + architecture + ")";
        }
    }

    /** examples/debian-live.yaml → examples/debian-live.lock.json */
    public static Path fileFor(Path manifest) {
        String name = manifest.getFileName().toString().replaceFirst("\\.(yaml|yml|json)$", "");
        return manifest.resolveSibling(name + ".lock.json");
    }

    /** The lock of a manifest file; a packages layer cannot be built without one. */
    public static PackageLock forManifest(Path manifest) {
        if (manifest == null) {
            throw new InputException("spec.layers", "a packages layer needs its lock file (FILE.lock.json beside "
                    + "the manifest, written by twinbuild lock FILE.yaml)");
        }
        Path file = fileFor(manifest);
        if (!Files.isRegularFile(file)) {
            throw new InputException(file.toString(), "no lock file: run twinbuild lock " + manifest
                    + " (builds install only what a lock pins)");
        }
        return read(file);
    }

    /** The lock file a build of this document reads: the one it was given, else FILE.lock.json beside it. */
    public static Path fileFor(SystemImageDocument doc) {
        if (doc.lockFile != null) {
            return doc.lockFile;
        }
        if (doc.source == null) {
            throw new InputException(doc.spec.packageLock != null ? "spec.packageLock" : "spec.layers",
                    "a packages layer needs its lock: FILE.lock.json beside the manifest (CLI), or in a cluster a "
                    + "ConfigMap named by spec.packageLock (twinbuild lock FILE.yaml writes the one and prints the "
                    + "other)");
        }
        return fileFor(doc.source);
    }

    /**
     * The lock of a document, checked against {@code spec.packageLock.sha256} when the spec pins it: in a
     * cluster the lock comes from a ConfigMap anyone in the namespace may edit, the spec's digest decides.
     */
    public static PackageLock forDocument(SystemImageDocument doc) {
        Path file = fileFor(doc);
        if (doc.lockFile == null) {
            forManifest(doc.source); // the missing-file message names the command that writes it
        }
        if (doc.spec.packageLock != null && doc.spec.packageLock.sha256 != null) {
            String actual;
            try {
                actual = Hashes.sha256(readBounded(file));
            } catch (NoSuchFileException e) {
                throw new InputException(file.toString(), "no lock file (spec.packageLock names one)");
            } catch (IOException e) {
                throw new InputException(file.toString(), "cannot read the lock: " + e.getMessage(), e);
            }
            if (!actual.equals(doc.spec.packageLock.sha256)) {
                throw new InputException("spec.packageLock.sha256", "the lock " + file + " has sha256 " + actual
                        + ", the spec pins " + doc.spec.packageLock.sha256 + " (a lock changed since, or another "
                        + "one: put the digest twinbuild lock printed into the spec)");
            }
        }
        return read(file);
    }

    private static byte[] readBounded(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new InputException(file.toString(), "lock file larger than " + MAX_BYTES + " bytes");
        }
        return Files.readAllBytes(file);
    }

    public static String inputSha256(PackagesLayer layer) {
        return Hashes.sha256(Manifests.canonicalJson(layer));
    }

    public static PackageLock read(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new InputException(file.toString(), "lock file larger than " + MAX_BYTES + " bytes");
            }
            PackageLock lock = Manifests.json().readerFor(PackageLock.class)
                    .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(file.toFile());
            if (lock == null || !KIND.equals(lock.kind) || lock.layers == null) {
                throw new InputException(file.toString(), "not a " + KIND);
            }
            return lock;
        } catch (NoSuchFileException e) {
            throw new InputException(file.toString(), "no such file");
        } catch (IOException e) {
            throw new InputException(file.toString(), "cannot read the lock: " + e.getMessage(), e);
        }
    }

    public void write(Path file) throws IOException {
        Files.write(file, (new String(Manifests.canonicalJson(this), StandardCharsets.UTF_8) + "\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The locked form of one layer, checked against the layer as the manifest has it now.
     *
     * @throws InputException naming the layer when the lock has no entry for it or was resolved for another
     */
    public LockedLayer forLayer(PackagesLayer layer, String field, Path lockFile, String manifest) {
        String fix = " (run: twinbuild lock " + manifest + ")";
        for (LockedLayer l : layers) {
            if (field.equals(l.field())) {
                if (!inputSha256(layer).equals(l.inputSha256())) {
                    throw new InputException(field + ".packages", "the lock " + lockFile + " is stale: it was "
                            + "resolved for another version of this layer (packages, suite, mirror, variant or "
                            + "filters changed)" + fix);
                }
                if (l.packages() == null || l.packages().isEmpty()) {
                    throw new InputException(field + ".packages", "the lock " + lockFile + " names no packages" + fix);
                }
                return l;
            }
        }
        throw new InputException(field + ".packages", "the lock " + lockFile + " has no entry for this layer" + fix);
    }
}
