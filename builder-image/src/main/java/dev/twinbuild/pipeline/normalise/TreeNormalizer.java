package dev.twinbuild.pipeline.normalise;

import dev.twinbuild.api.v1alpha1.Normalizer;
import dev.twinbuild.api.v1alpha1.NormalizerType;
import dev.twinbuild.api.v1alpha1.SystemImageSpec;
import dev.twinbuild.pipeline.normalise.TreeScanner.Scanned;
import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the scanned tree into what ships: excluded paths dropped, listed files emptied, generated files
 * normalised, hardlinks grouped in path order, every time clamped to SOURCE_DATE_EPOCH.
 */
public final class TreeNormalizer {
    private final List<Glob> exclude = new ArrayList<>();
    private final List<Glob> empty = new ArrayList<>();
    private final List<Map.Entry<Glob, ContentNormalizer>> normalizers = new ArrayList<>();
    private final Path contentDir;
    private final long sourceDateEpoch;

    public TreeNormalizer(SystemImageSpec spec, Path contentDir) {
        spec.exclude.forEach(g -> exclude.add(Glob.of(g)));
        spec.emptyFiles.forEach(g -> empty.add(Glob.of(g)));
        for (Normalizer n : spec.normalize) {
            ContentNormalizer cn = forType(n.type, spec.sourceDateEpoch);
            n.paths.forEach(g -> normalizers.add(Map.entry(Glob.of(g), cn)));
        }
        this.contentDir = contentDir;
        this.sourceDateEpoch = spec.sourceDateEpoch;
    }

    static ContentNormalizer forType(NormalizerType type, long sourceDateEpoch) {
        return switch (type) {
            case gzip -> new GzipHeaderNormalizer();
            case json -> new JsonNormalizer();
            case zip -> new ZipNormalizer();
            case mo -> new MoNormalizer(sourceDateEpoch);
        };
    }

    /**
     * The shipped tree, as a view of {@code scanned} (which it keeps): excluded entries dropped, the changed
     * ones replaced, every time clamped when an entry is read.
     */
    public List<TreeEntry> normalize(List<Scanned> scanned) throws IOException {
        Files.createDirectories(contentDir);
        Set<String> excludedDirs = new HashSet<>();
        Map<String, String> primaryByKey = new HashMap<>();
        NormalizedEntries out = new NormalizedEntries(scanned, sourceDateEpoch);
        int rewritten = 0;
        for (int i = 0; i < scanned.size(); i++) {
            Scanned s = scanned.get(i);
            TreeEntry e = s.entry();
            if (!e.isRoot() && (Glob.any(exclude, e.path()) || underExcluded(e.path(), excludedDirs))) {
                if (e.type() == EntryType.DIR) {
                    excludedDirs.add(e.path());
                }
                continue;
            }
            TreeEntry before = e;
            String key = s.fileKey();
            if (e.type() == EntryType.FILE) {
                if (Glob.any(empty, e.path())) {
                    e = e.withContent(null, 0);
                    key = null;
                } else if (e.source() != null) {
                    Path rewrittenTo = contentDir.resolve(Integer.toString(rewritten));
                    if (rewrite(e, rewrittenTo)) {
                        rewritten++;
                        e = e.withContent(rewrittenTo, Files.size(rewrittenTo));
                        key = null;
                    }
                }
                if (key != null) {
                    String primary = primaryByKey.putIfAbsent(key, e.path());
                    if (primary != null) {
                        e = new TreeEntry(e.path(), EntryType.HARDLINK, e.mode(), e.uid(), e.gid(), e.mtime(), 0,
                                primary, 0, 0, null);
                    }
                }
            }
            out.ship(i, e == before ? null : e);
        }
        return out;
    }

    private boolean rewrite(TreeEntry e, Path to) throws IOException {
        for (Map.Entry<Glob, ContentNormalizer> n : normalizers) {
            if (n.getKey().matches(e.path())) {
                boolean changed;
                try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(to))) {
                    changed = n.getValue().normalize(e.source(), o);
                }
                if (changed) {
                    return true;
                }
                Files.deleteIfExists(to);
            }
        }
        return false;
    }

    private static boolean underExcluded(String path, Set<String> excludedDirs) {
        if (excludedDirs.isEmpty()) {
            return false;
        }
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            if (excludedDirs.contains(path.substring(0, i))) {
                return true;
            }
        }
        return false;
    }
}
