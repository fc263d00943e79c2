package dev.twinbuild.pipeline.tree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.TreeSet;

/**
 * Where the entries of a {@link Rootfs} go: names resolved by {@link SafePaths}, with the directories already
 * resolved remembered, so that placing an entry in a known directory (nearly every entry of a layer) makes no
 * system call. Looks up the tree on disk for {@link SafePaths}, known real directories answered from memory.
 */
final class DiskPlaces implements SafePaths.Growable {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /** Adds a missing parent directory to the tree (on disk and in its metadata). */
    interface DirMaker {
        void makeDir(String rel) throws IOException;
    }

    private final Path dir;
    private final SafePaths.Lookup onDisk;
    private final DirMaker maker;
    /**
     * Relative paths that are real directories on disk (not symlinks), as are all their ancestors, so that
     * {@link SafePaths#resolveParent} of a child would return it unchanged. Only the Rootfs changes the
     * tree during assembly; whatever it removes is forgotten here too ({@link #forget}).
     */
    private final TreeSet<String> realDirs = new TreeSet<>();

    DiskPlaces(Path dir, DirMaker maker) {
        this.dir = dir;
        this.onDisk = SafePaths.onDisk(dir);
        this.maker = maker;
    }

    /** Resolves where {@code rel} lives, creating missing parent directories (root-owned, 0755). */
    String place(String rel, String what) throws IOException {
        int slash = rel.lastIndexOf('/');
        if (slash <= 0) {
            return rel;
        }
        String parent = rel.substring(0, slash);
        if (realDirs.contains(parent)) {
            // Every component is a real directory: resolving it would follow nothing and change nothing.
            return rel;
        }
        String realParent = SafePaths.ensureDir(this, parent, what);
        String real = realParent.isEmpty() ? rel.substring(slash + 1) : realParent + rel.substring(slash);
        SafePaths.checkLength(real, what);
        rememberParents(real);
        return real;
    }

    @Override
    public SafePaths.Kind kind(String rel) throws IOException {
        return realDirs.contains(rel) ? SafePaths.Kind.DIR : onDisk.kind(rel);
    }

    @Override
    public String readLink(String rel) throws IOException {
        return onDisk.readLink(rel);
    }

    @Override
    public void makeDir(String rel) throws IOException {
        maker.makeDir(rel);
    }

    /** Records the (already resolved, symlink-free) parent directories of {@code real} as real directories. */
    private void rememberParents(String real) {
        int end = real.lastIndexOf('/');
        if (end <= 0 || realDirs.contains(real.substring(0, end))) {
            return;
        }
        for (int i = real.indexOf('/'); i > 0 && i <= end; i = real.indexOf('/', i + 1)) {
            String prefix = real.substring(0, i);
            if (!realDirs.contains(prefix)) {
                if (!Files.isDirectory(dir.resolve(prefix), NOFOLLOW)) {
                    return;
                }
                realDirs.add(prefix);
            }
        }
    }

    /** Records the directory {@code real}, just made or kept, as real if its parent is known to be. */
    void rememberDir(String real) {
        int slash = real.lastIndexOf('/');
        if (!real.isEmpty() && (slash < 0 || realDirs.contains(real.substring(0, slash)))) {
            realDirs.add(real);
        }
    }

    /** Forgets {@code real} and everything below it, removed from the tree. */
    void forget(String real) {
        if (real.isEmpty()) {
            realDirs.clear();
        } else if (realDirs.remove(real)) {
            realDirs.subSet(real + "/", real + "0").clear();
        }
    }
}
