package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The tree being assembled: contents on disk (so build steps can work on it), plus the metadata an
 * unprivileged process cannot store there. Every write goes through {@link SafePaths}.
 *
 * <p>Assembly is the hot path of a build (one entry per file of every layer), so it avoids system calls
 * that cannot change the result: directories already resolved are remembered ({@link DiskPlaces}), and
 * entries are created first ({@code O_EXCL}) and only cleared away when something is in the way
 * ({@link DiskEntries}). This class keeps the metadata and the order of assembly.
 */
public final class Rootfs implements Tree {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path dir;
    private final long defaultMtime;
    private final TreeMap<String, Meta> meta = new TreeMap<>();
    private final DiskPlaces places;
    private final DiskEntries entries;
    private final ArchiveLog archive = new ArchiveLog();
    /** Layer files contents were placed from ({@link #putFileAt}), with their identity when first seen. */
    private final LayerIdentity blobs = new LayerIdentity();
    private boolean dirTimesPending;
    private ContentFence fence;

    public Rootfs(Path dir, long defaultMtime) throws IOException {
        this.dir = dir;
        this.defaultMtime = defaultMtime;
        SafePaths.checkRootDir(dir, "the work directory (--work, or TMPDIR for a temporary one)");
        Files.createDirectories(dir);
        this.places = new DiskPlaces(dir, this::makeParentDir);
        DiskAttrs.setMode(dir, 0755);
        this.entries = new DiskEntries(dir, new DiskAttrs(dir), this::remove);
        meta.put("", new Meta(EntryType.DIR, 0755, 0755, 0, 0, defaultMtime, null, 0, 0));
    }

    public Path dir() {
        return dir;
    }

    public Map<String, Meta> meta() {
        return meta;
    }

    /** Resolves where {@code rel} lives, creating missing parent directories (root-owned, 0755). */
    @Override
    public String place(String rel, String what) throws IOException {
        return places.place(rel, what);
    }

    /** A parent directory name resolution found missing: root-owned, 0755, the default time. */
    private void makeParentDir(String rel) throws IOException {
        entries.parentDir(rel);
        meta.put(rel, new Meta(EntryType.DIR, 0755, 0755, 0, 0, defaultMtime, null, 0, 0));
    }

    @Override
    public void putFile(String real, InputStream content, long size, int mode, long uid, long gid, long mtime)
            throws IOException {
        int disk = (mode & 0777) | 0600;
        entries.file(real, content, size, disk, mtime);
        meta.put(real, new Meta(EntryType.FILE, mode & 07777, disk, uid, gid, mtime, null, 0, 0));
    }

    /**
     * Writes the file as {@link #putFile} does, and remembers where its content also lies: an output may read it
     * from the layer instead of the disk while the file is as assembly left it ({@link #finishAssembly}).
     */
    @Override
    public void putFileAt(String real, InputStream content, long size, Path blob, long offset, int mode, long uid,
                          long gid, long mtime) throws IOException {
        blobs.pin(blob);
        putFile(real, content, size, mode, uid, gid, mtime);
        Meta m = meta.get(real);
        meta.put(real, new Meta(m.type(), m.mode(), m.diskMode(), m.uid(), m.gid(), m.mtime(), null, 0, 0, blob,
                offset));
    }

    @Override
    public void putDir(String real, int mode, long uid, long gid, long mtime) throws IOException {
        int disk = (mode & 0777) | 0700;
        boolean exact = false;
        if (!real.isEmpty()) {
            exact = entries.dir(real, disk);
            places.rememberDir(real);
        }
        if (!exact) {
            entries.setMode(real, disk);
        }
        meta.put(real, new Meta(EntryType.DIR, mode & 07777, disk, uid, gid, mtime, null, 0, 0));
    }

    @Override
    public void putSymlink(String real, String target, long uid, long gid, long mtime, String what)
            throws IOException {
        SafePaths.checkSymlinkTarget(real, target, what);
        entries.symlink(real, target);
        meta.put(real, new Meta(EntryType.SYMLINK, 0777, 0777, uid, gid, mtime, target, 0, 0));
    }

    @Override
    public void putHardlink(String real, String targetReal, String what) throws IOException {
        if (real.equals(targetReal)) {
            throw new InputException(what, "hardlink to itself");
        }
        Path target = dir.resolve(targetReal);
        Meta tm = meta.get(targetReal);
        if (!Files.isRegularFile(target, NOFOLLOW) || tm == null || tm.type() != EntryType.FILE) {
            throw new InputException(what, "hardlink target '" + SafePaths.quote(targetReal)
                    + "' is not a regular file in the tree");
        }
        entries.hardlink(real, target);
        meta.put(real, tm);
    }

    @Override
    public void putSpecial(String real, EntryType type, int mode, long uid, long gid, long mtime, int major,
                           int minor) throws IOException {
        entries.special(real, mtime);
        meta.put(real, new Meta(type, mode & 07777, 0600, uid, gid, mtime, null, major, minor));
    }

    /** Removes {@code real} and everything below it, on disk and in the metadata. */
    @Override
    public void remove(String real) throws IOException {
        Path p = dir.resolve(real);
        if (Files.isDirectory(p, NOFOLLOW)) {
            deleteTree(p);
        } else {
            Files.deleteIfExists(p);
        }
        meta.remove(real);
        meta.subMap(real + "/", real + "0").clear();
        places.forget(real);
    }

    @Override
    public void startArchive() {
        archive.clear();
    }

    @Override
    public EntryType seen(String name) {
        return archive.seen(name);
    }

    @Override
    public void added(String name, String real, EntryType type) {
        archive.added(name, real, type);
    }

    @Override
    public void clearChildren(String realDir) throws IOException {
        Path p = dir.resolve(realDir);
        if (!Files.isDirectory(p, NOFOLLOW)) {
            return;
        }
        List<Path> children = new ArrayList<>();
        try (var s = Files.newDirectoryStream(p)) {
            s.forEach(children::add);
        }
        for (Path c : children) {
            String rel = dir.relativize(c).toString();
            if (!archive.addedReal(rel)) {
                remove(rel);
            }
        }
    }

    /**
     * A layer is complete. Directory times, which adding children changed, are restored once for the whole tree,
     * by {@link #finishAssembly}: nothing reads them before.
     */
    @Override
    public void fixDirectoryTimes() {
        dirTimesPending = true;
    }

    /**
     * Ends assembly, before build steps run: restores directory times (once per tree, however many layers), and
     * with {@code layerContents} sets the fence after which the scan trusts a file to hold the layer content it
     * was written with only if its ctime says nothing changed it ({@link ContentFence}).
     */
    public void finishAssembly(boolean layerContents) throws IOException {
        fence = layerContents && !blobs.isEmpty() ? ContentFence.set(dir) : null;
        if (dirTimesPending || fence != null) { // the fence's markers changed the top directory's times
            NavigableMap<String, Meta> desc = meta.descendingMap();
            for (Map.Entry<String, Meta> e : desc.entrySet()) {
                if (e.getValue().type() == EntryType.DIR) {
                    Path p = dir.resolve(e.getKey());
                    if (Files.isDirectory(p, NOFOLLOW)) {
                        DiskAttrs.setTime(p, e.getValue().mtime());
                    }
                }
            }
            dirTimesPending = false;
        }
    }

    /** The fence set by {@link #finishAssembly}, or null: then every content is read from the disk. */
    public ContentFence contentFence() {
        return fence;
    }

    /**
     * Refuses the build if a layer file whose contents an output read by position changed since assembly first
     * read it (and its pin was checked): the outputs would then not be made of the pinned input.
     */
    @Override
    public void checkLayersUnchanged() throws IOException {
        blobs.checkUnchanged();
    }

    /**
     * Removes {@code p} and everything below it, without following symlinks ({@link TreeRemoval#deleteTree}).
     */
    public static void deleteTree(Path p) throws IOException {
        TreeRemoval.deleteTree(p);
    }
}
