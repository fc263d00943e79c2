package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tree being assembled: contents on disk (so build steps can work on it), plus the metadata an
 * unprivileged process cannot store there. Every write goes through {@link SafePaths}.
 *
 * <p>Assembly is the hot path of a build (one entry per file of every layer), so it avoids system calls
 * that cannot change the result: directories already resolved are remembered ({@link #realDirs}), and
 * entries are created first ({@code O_EXCL}) and only cleared away when something is in the way.
 */
public final class Rootfs implements Tree {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int COPY_BUFFER = 256 * 1024;

    private final Path dir;
    private final long defaultMtime;
    private final TreeMap<String, Meta> meta = new TreeMap<>();
    /**
     * Relative paths that are real directories on disk (not symlinks), as are all their ancestors, so that
     * {@link SafePaths#resolveParent} of a child would return it unchanged. Only this class changes the
     * tree during assembly; whatever it removes is forgotten here too ({@link #remove}).
     */
    private final TreeSet<String> realDirs = new TreeSet<>();
    private final Disk disk;
    private final ArchiveLog archive = new ArchiveLog();
    private final DiskAttrs attrs;
    /** Layer files contents were placed from ({@link #putFileAt}), with their identity when first seen. */
    private final Map<Path, String> blobs = new HashMap<>();
    private boolean dirTimesPending;
    private ContentFence fence;
    private byte[] copyBuffer;

    public Rootfs(Path dir, long defaultMtime) throws IOException {
        this.dir = dir;
        this.defaultMtime = defaultMtime;
        SafePaths.checkRootDir(dir, "the work directory (--work, or TMPDIR for a temporary one)");
        Files.createDirectories(dir);
        this.disk = new Disk();
        setDiskMode(dir, 0755);
        this.attrs = new DiskAttrs(dir);
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
        int slash = rel.lastIndexOf('/');
        if (slash <= 0) {
            return rel;
        }
        String parent = rel.substring(0, slash);
        if (realDirs.contains(parent)) {
            // Every component is a real directory: resolving it would follow nothing and change nothing.
            return rel;
        }
        String realParent = SafePaths.ensureDir(disk, parent, what);
        String real = realParent.isEmpty() ? rel.substring(slash + 1) : realParent + rel.substring(slash);
        SafePaths.checkLength(real, what);
        rememberParents(real);
        return real;
    }

    /** The tree on disk for {@link SafePaths}: known real directories answered without a system call. */
    private final class Disk implements SafePaths.Growable {
        private final SafePaths.Lookup onDisk = SafePaths.onDisk(dir);

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
            Path p = dir.resolve(rel);
            Files.createDirectory(p, attrs.create(0755));
            if (!attrs.createsExactly(0755)) {
                setDiskMode(p, 0755);
            }
            meta.put(rel, new Meta(EntryType.DIR, 0755, 0755, 0, 0, defaultMtime, null, 0, 0));
        }
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

    private void rememberDir(String real) {
        int slash = real.lastIndexOf('/');
        if (!real.isEmpty() && (slash < 0 || realDirs.contains(real.substring(0, slash)))) {
            realDirs.add(real);
        }
    }

    @Override
    public void putFile(String real, InputStream content, long size, int mode, long uid, long gid, long mtime)
            throws IOException {
        Path p = dir.resolve(real);
        int disk = (mode & 0777) | 0600;
        long copied;
        try (FileChannel out = create(real, p, disk)) {
            copied = content == null ? 0 : copy(content, out);
        }
        if (copied != size) {
            throw new InputException(real, "content is " + copied + " bytes, header says " + size);
        }
        if (!attrs.createsExactly(disk)) {
            setDiskMode(p, disk);
        }
        setTime(p, mtime);
        meta.put(real, new Meta(EntryType.FILE, mode & 07777, disk, uid, gid, mtime, null, 0, 0));
    }

    /**
     * Writes the file as {@link #putFile} does, and remembers where its content also lies: an output may read it
     * from the layer instead of the disk while the file is as assembly left it ({@link #finishAssembly}).
     */
    @Override
    public void putFileAt(String real, InputStream content, long size, Path blob, long offset, int mode, long uid,
                          long gid, long mtime) throws IOException {
        if (!blobs.containsKey(blob)) {
            blobs.put(blob, LayerIdentity.of(blob));
        }
        putFile(real, content, size, mode, uid, gid, mtime);
        Meta m = meta.get(real);
        meta.put(real, new Meta(m.type(), m.mode(), m.diskMode(), m.uid(), m.gid(), m.mtime(), null, 0, 0, blob,
                offset));
    }

    private static final Set<StandardOpenOption> CREATE = EnumSet.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);

    /** Creates {@code p} with its mode on disk (O_EXCL), clearing whatever is in the way first. */
    private FileChannel create(String real, Path p, int diskMode) throws IOException {
        try {
            return FileChannel.open(p, CREATE, attrs.create(diskMode));
        } catch (FileAlreadyExistsException e) {
            clear(real, false);
            return FileChannel.open(p, CREATE, attrs.create(diskMode));
        }
    }

    /** Copies all of {@code in}, in large writes (one or two for most files). */
    private long copy(InputStream in, FileChannel out) throws IOException {
        if (copyBuffer == null) {
            copyBuffer = new byte[COPY_BUFFER];
        }
        byte[] buf = copyBuffer;
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long total = 0;
        while (true) {
            int fill = 0;
            int n;
            // Fill the buffer before writing: the archive stream hands out at most a record at a time.
            while (fill < buf.length && (n = in.read(buf, fill, buf.length - fill)) > 0) {
                fill += n;
            }
            if (fill == 0) {
                return total;
            }
            bb.clear().limit(fill);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
            total += fill;
            if (fill < buf.length) {
                return total;
            }
        }
    }

    @Override
    public void putDir(String real, int mode, long uid, long gid, long mtime) throws IOException {
        Path p = dir.resolve(real);
        int disk = (mode & 0777) | 0700;
        boolean exact = false;
        if (!real.isEmpty()) {
            try {
                Files.createDirectory(p, attrs.create(disk));
                exact = attrs.createsExactly(disk);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(p, NOFOLLOW)) {
                    clear(real, false);
                    Files.createDirectory(p, attrs.create(disk));
                }
                // else: an existing directory keeps its contents; only its metadata changes.
            }
            rememberDir(real);
        }
        if (!exact) {
            setDiskMode(p, disk);
        }
        meta.put(real, new Meta(EntryType.DIR, mode & 07777, disk, uid, gid, mtime, null, 0, 0));
    }

    @Override
    public void putSymlink(String real, String target, long uid, long gid, long mtime, String what)
            throws IOException {
        SafePaths.checkSymlinkTarget(real, target, what);
        Path p = dir.resolve(real);
        try {
            Files.createSymbolicLink(p, Path.of(target));
        } catch (FileAlreadyExistsException e) {
            clear(real, false);
            Files.createSymbolicLink(p, Path.of(target));
        }
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
        Path p = dir.resolve(real);
        try {
            Files.createLink(p, target);
        } catch (FileAlreadyExistsException e) {
            clear(real, false);
            Files.createLink(p, target);
        }
        meta.put(real, tm);
    }

    @Override
    public void putSpecial(String real, EntryType type, int mode, long uid, long gid, long mtime, int major,
                           int minor) throws IOException {
        Path p = dir.resolve(real);
        try {
            Files.createFile(p, attrs.create(0600));
        } catch (FileAlreadyExistsException e) {
            clear(real, false);
            Files.createFile(p, attrs.create(0600));
        }
        if (!attrs.createsExactly(0600)) {
            setDiskMode(p, 0600);
        }
        setTime(p, mtime);
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
        if (real.isEmpty()) {
            realDirs.clear();
        } else if (realDirs.remove(real)) {
            realDirs.subSet(real + "/", real + "0").clear();
        }
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
                        setTime(p, e.getValue().mtime());
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
        LayerIdentity.check(blobs);
    }

    private Path clear(String real, boolean keepDir) throws IOException {
        Path p = dir.resolve(real);
        if (Files.exists(p, NOFOLLOW)) {
            if (Files.isDirectory(p, NOFOLLOW) && keepDir) {
                return p;
            }
            remove(real);
        }
        return p;
    }

    private static void setTime(Path p, long seconds) throws IOException {
        DiskAttrs.setTime(p, seconds);
    }

    static void setDiskMode(Path p, int mode) throws IOException {
        DiskAttrs.setMode(p, mode);
    }

    /**
     * Removes {@code p} and everything below it, without following symlinks ({@link TreeRemoval#deleteTree}).
     */
    public static void deleteTree(Path p) throws IOException {
        TreeRemoval.deleteTree(p);
    }
}
