package dev.twinbuild.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A directory, in pods a mounted PersistentVolumeClaim. Files are copied in under a temporary name,
 * re-read and hashed, then renamed into place, so a reader never sees a partial or unchecked object.
 * Locations are {@code pvc://<claim>/<subPath>/<key>}.
 */
public class DirectoryStore implements ArtifactStoreClient {
    private final Path root;
    private final String claimName;
    private final String subPath;
    private final String buildPrefix;

    /**
     * @param root        where the claim (and sub-path) is mounted
     * @param buildPrefix the build's key prefix, chosen by the operator
     */
    public DirectoryStore(Path root, String claimName, String subPath, String buildPrefix) {
        this.root = root;
        this.claimName = claimName;
        this.subPath = subPath == null ? "" : subPath.replaceAll("^/+|/+$", "");
        this.buildPrefix = buildPrefix;
    }

    @Override
    public String location(String name) {
        return locationOfKey(Stores.key(buildPrefix, name));
    }

    private String locationOfKey(String key) {
        return "pvc://" + claimName + "/" + (subPath.isEmpty() ? "" : subPath + "/") + key;
    }

    @Override
    public StoredObject put(String name, Path file, String sha256) {
        String key = Stores.key(buildPrefix, name);
        Path target = resolve(key);
        Path tmp = target.resolveSibling("." + target.getFileName() + ".partial");
        try {
            Files.createDirectories(target.getParent());
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            Sha256.Counted copied = hash(tmp);
            if (!copied.sha256().equals(sha256)) {
                Files.deleteIfExists(tmp);
                throw new StoreException(StoreException.DIGEST_MISMATCH,
                        "copy of " + file + " has sha256 " + copied.sha256() + ", expected " + sha256);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new StoredObject(locationOfKey(key), sha256, copied.size());
        } catch (IOException e) {
            throw new StoreException(StoreException.UNREACHABLE, "writing " + target + ": " + e.getMessage(), e);
        }
    }

    /** Reads the object at {@code location} and checks that its content hashes to {@code sha256}. */
    public StoredObject verify(String location, String sha256) {
        String prefix = locationOfKey("");
        if (!location.startsWith(prefix)) {
            throw new StoreException(StoreException.REJECTED, location + " is not in " + prefix);
        }
        Path file = resolve(location.substring(prefix.length()));
        try {
            Sha256.Counted actual = hash(file);
            if (!actual.sha256().equals(sha256)) {
                throw new StoreException(StoreException.DIGEST_MISMATCH,
                        location + " has sha256 " + actual.sha256() + ", expected " + sha256);
            }
            return new StoredObject(location, sha256, actual.size());
        } catch (NoSuchFileException e) {
            throw new StoreException(StoreException.NOT_FOUND, location + " does not exist");
        } catch (IOException e) {
            throw new StoreException(StoreException.UNREACHABLE, "reading " + file + ": " + e.getMessage(), e);
        }
    }

    private Path resolve(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root.normalize()) || key.isEmpty()) {
            throw new StoreException(StoreException.REJECTED, "key '" + key + "' escapes the store");
        }
        return p;
    }

    private static Sha256.Counted hash(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Sha256.hex(in);
        }
    }
}
