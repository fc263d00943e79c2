package dev.twinbuild.packages;

import dev.twinbuild.api.v1alpha1.Layer;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.assemble.ArchiveLimits;
import dev.twinbuild.pipeline.fetch.Fetcher;
import dev.twinbuild.pipeline.fetch.InputUnreachableException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fetches locked package files into the content-addressed cache: the mirror's URL first, the permanent
 * fallback (snapshot.debian.org) when the mirror no longer has it. Nothing is fetched once the cache holds
 * the SHA-256, so builds from a warm cache work offline.
 */
public final class PackageFetch {
    private PackageFetch() {
    }

    static Map<PackageLock.LockedPackage, Path> fetchAll(Fetcher fetcher, PackageLock.LockedLayer lock, String field,
                                                         String mirrorOverride) throws IOException {
        Map<PackageLock.LockedPackage, Path> files = new LinkedHashMap<>();
        for (PackageLock.LockedPackage p : lock.packages()) {
            files.put(p, fetch(fetcher, p, field, url(p.url(), lock.mirror(), mirrorOverride)));
        }
        return files;
    }

    /** The package's URL with the lock's mirror replaced by {@code override} (when it starts with it). */
    static String url(String url, String mirror, String override) {
        if (override == null || override.isEmpty() || mirror == null) {
            return url;
        }
        String from = mirror.endsWith("/") ? mirror : mirror + "/";
        String to = override.endsWith("/") ? override : override + "/";
        return url.startsWith(from) ? to + url.substring(from.length()) : url;
    }

    /**
     * The mirror first; the fallback when the mirror no longer has the file (4xx) or cannot be reached (no answer,
     * 5xx through every retry). A file that arrives with another SHA-256 is refused at once: the lock pins the bytes,
     * and no second source makes wrong bytes right.
     */
    static Path fetch(Fetcher fetcher, PackageLock.LockedPackage p, String field) throws IOException {
        return fetch(fetcher, p, field, p.url());
    }

    static Path fetch(Fetcher fetcher, PackageLock.LockedPackage p, String field, String url) throws IOException {
        String f = field + ".packages[" + p.name() + "]";
        try {
            try {
                return fetcher.fetch(url, p.sha256(), null, f);
            } catch (InputException e) {
                if (p.fallbackUrl() == null || !e.field().endsWith(".url")) {
                    throw e;
                }
            } catch (InputUnreachableException e) {
                if (p.fallbackUrl() == null) {
                    throw e;
                }
            }
            return fetcher.fetch(p.fallbackUrl(), p.sha256(), null, f + " (fallback)");
        } catch (InputException e) {
            throw new InputException(e.field(), "locked package " + p.id() + ": "
                    + e.getMessage().substring(e.field().length() + 2), e);
        }
    }

    /** $TWINBUILD_CACHE, else $XDG_CACHE_HOME/twinbuild, else ~/.cache/twinbuild. */
    public static Path userCache() {
        String env = System.getenv("TWINBUILD_CACHE");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("twinbuild");
    }

    /**
     * Fills a verification's shared cache from the user's persistent one (downloading what is missing there):
     * the builds of a verification then run offline, whichever user they run as.
     */
    public static void prefetch(SystemImageDocument doc, Path manifest, Path userCache, Path buildCache)
            throws IOException {
        PackageLock lock = null;
        Fetcher persistent = new Fetcher(userCache, ArchiveLimits.DEFAULT.maxTotalBytes());
        for (int i = 0; i < doc.spec.layers.size(); i++) {
            Layer l = doc.spec.layers.get(i);
            if (l.packages == null) {
                continue;
            }
            String field = "spec.layers[" + i + "]";
            if (lock == null) {
                lock = PackageLock.forDocument(doc);
            }
            PackageLock.LockedLayer locked = lock.forLayer(l.packages, field, PackageLock.fileFor(manifest),
                    manifest.toString());
            for (PackageLock.LockedPackage p : locked.packages()) {
                Path from = fetch(persistent, p, field);
                Path to = buildCache.resolve("sha256").resolve(p.sha256());
                if (Files.isRegularFile(to)) {
                    continue;
                }
                Files.createDirectories(to.getParent());
                try {
                    Files.createLink(to, from);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }
}
