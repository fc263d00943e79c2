package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.normalise.TreeScanner.Scanned;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The merged tree as an index of entries, for builds that need no rootfs on disk (no steps, stream outputs):
 * a file's content stays where it lies, at its offset in the uncompressed layer, and is read from there when
 * an output is written. Contents with no such place (compressed layers, inline files, sparse entries) are
 * appended to one spill file. Names are resolved by {@link SafePaths}, as for a {@link Rootfs}, and every
 * operation mirrors what the Rootfs does on disk, so both give the same tree and the same refusals.
 */
public final class IndexTree implements Tree, SafePaths.Growable {
    /** Where a file's bytes are; shared by the names of one hardlink group. */
    private static final class Content {
        final Path blob;
        final long offset;
        final long size;
        /** Whether a hardlink names it too: only then does the scan give it a key (one string less a file). */
        boolean linked;

        Content(Path blob, long offset, long size) {
            this.blob = blob;
            this.offset = offset;
            this.size = size;
        }
    }

    private record Node(EntryType type, int mode, long uid, long gid, long mtime, String linkTarget, int devMajor,
                        int devMinor, Content content) {
    }

    private final TreeMap<String, Node> nodes = new TreeMap<>();
    /** Raw parent name → resolved parent; valid until something is removed (only then can a kind change). */
    private final Map<String, String> resolvedParents = new HashMap<>();
    /** Layer files contents are read from by position, with their identity when first seen. */
    private final Map<Path, String> blobs = new HashMap<>();
    private final long defaultMtime;
    private final Path spill;
    private FileChannel spillOut;
    private byte[] buffer;

    /** @param spill the file that holds contents with no place of their own (created when first needed) */
    public IndexTree(Path spill, long defaultMtime) {
        this.spill = spill;
        this.defaultMtime = defaultMtime;
        nodes.put("", dir(0755, 0, 0, defaultMtime));
    }

    private static Node dir(int mode, long uid, long gid, long mtime) {
        return new Node(EntryType.DIR, mode & 07777, uid, gid, mtime, null, 0, 0, null);
    }

    @Override
    public SafePaths.Kind kind(String rel) {
        Node n = nodes.get(rel);
        if (n == null) {
            return SafePaths.Kind.MISSING;
        }
        return switch (n.type()) {
            case DIR -> SafePaths.Kind.DIR;
            case SYMLINK -> SafePaths.Kind.SYMLINK;
            default -> SafePaths.Kind.OTHER;
        };
    }

    @Override
    public String readLink(String rel) {
        return nodes.get(rel).linkTarget();
    }

    @Override
    public String place(String rel, String what) throws IOException {
        int slash = rel.lastIndexOf('/');
        if (slash <= 0) {
            return rel;
        }
        String parent = rel.substring(0, slash);
        String realParent = resolvedParents.get(parent);
        if (realParent == null) {
            realParent = SafePaths.ensureDir(this, parent, what);
            resolvedParents.put(parent, realParent);
        }
        String real = realParent.isEmpty() ? rel.substring(slash + 1) : realParent + rel.substring(slash);
        SafePaths.checkLength(real, what);
        return real;
    }

    @Override
    public void makeDir(String rel) {
        nodes.put(rel, dir(0755, 0, 0, defaultMtime));
    }

    @Override
    public void putFile(String real, InputStream content, long size, int mode, long uid, long gid, long mtime)
            throws IOException {
        clear(real);
        if (spillOut == null) {
            spillOut = FileChannel.open(spill, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
        long offset = spillOut.position();
        long copied = content == null ? 0 : copy(content, spillOut);
        put(real, size, copied, new Content(spill, offset, copied), mode, uid, gid, mtime);
    }

    @Override
    public void putFileAt(String real, InputStream content, long size, Path blob, long offset, int mode, long uid,
                          long gid, long mtime) throws IOException {
        if (!blobs.containsKey(blob)) {
            blobs.put(blob, identity(blob));
        }
        clear(real);
        long copied = content == null ? 0 : copy(content, null);
        put(real, size, copied, new Content(blob, offset, copied), mode, uid, gid, mtime);
    }

    private void put(String real, long size, long copied, Content c, int mode, long uid, long gid, long mtime) {
        if (copied != size) {
            throw new InputException(real, "content is " + copied + " bytes, header says " + size);
        }
        nodes.put(real, new Node(EntryType.FILE, mode & 07777, uid, gid, mtime, null, 0, 0, c));
    }

    /** Reads all of {@code in}, appending it to {@code out} unless that is null; returns the byte count. */
    private long copy(InputStream in, FileChannel out) throws IOException {
        if (buffer == null) {
            buffer = new byte[256 * 1024];
        }
        long total = 0;
        int n;
        while ((n = in.read(buffer)) > 0) {
            if (out != null) {
                ByteBuffer bb = ByteBuffer.wrap(buffer, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
            }
            total += n;
        }
        return total;
    }

    @Override
    public void putDir(String real, int mode, long uid, long gid, long mtime) throws IOException {
        Node before = nodes.get(real);
        if (before != null && before.type() != EntryType.DIR) {
            remove(real);
        }
        // an existing directory keeps its contents; only its metadata changes
        nodes.put(real, dir(mode, uid, gid, mtime));
    }

    @Override
    public void putSymlink(String real, String target, long uid, long gid, long mtime, String what)
            throws IOException {
        SafePaths.checkSymlinkTarget(real, target, what);
        clear(real);
        nodes.put(real, new Node(EntryType.SYMLINK, 0777, uid, gid, mtime, target, 0, 0, null));
    }

    @Override
    public void putHardlink(String real, String targetReal, String what) throws IOException {
        if (real.equals(targetReal)) {
            throw new InputException(what, "hardlink to itself");
        }
        Node target = nodes.get(targetReal);
        if (target == null || target.type() != EntryType.FILE) {
            throw new InputException(what, "hardlink target '" + SafePaths.quote(targetReal)
                    + "' is not a regular file in the tree");
        }
        clear(real);
        target.content().linked = true;
        nodes.put(real, target);
    }

    @Override
    public void putSpecial(String real, EntryType type, int mode, long uid, long gid, long mtime, int major,
                           int minor) {
        clear(real);
        nodes.put(real, new Node(type, mode & 07777, uid, gid, mtime, null, major, minor, null));
    }

    private void clear(String real) {
        if (nodes.containsKey(real)) {
            remove(real);
        }
    }

    @Override
    public void remove(String real) {
        nodes.remove(real);
        nodes.subMap(real + "/", real + "0").clear();
        resolvedParents.clear();
    }

    @Override
    public void clearChildren(String realDir, Set<String> keep) {
        Node d = nodes.get(realDir);
        if (d == null || d.type() != EntryType.DIR) {
            return;
        }
        String prefix = realDir.isEmpty() ? "" : realDir + "/";
        Map<String, Node> below = realDir.isEmpty() ? nodes.tailMap("", false) : nodes.subMap(prefix, realDir + "0");
        List<String> children = new ArrayList<>();
        for (String k : below.keySet()) {
            if (k.indexOf('/', prefix.length()) < 0) {
                children.add(k);
            }
        }
        for (String c : children) {
            if (!keep.contains(c)) {
                remove(c);
            }
        }
    }

    @Override
    public void fixDirectoryTimes() {
        // times are kept in the index, never changed by adding children
    }

    private static String identity(Path blob) throws IOException {
        BasicFileAttributes a = Files.readAttributes(blob, BasicFileAttributes.class);
        return a.fileKey() + " " + a.size() + " " + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    }

    /**
     * Refuses the build if a layer file whose contents were read again by position changed since it was
     * first read (and its pin checked): the outputs would then not be made of the pinned input.
     */
    public void checkLayersUnchanged() throws IOException {
        for (Map.Entry<Path, String> b : blobs.entrySet()) {
            if (!identity(b.getKey()).equals(b.getValue())) {
                throw new InputException(b.getKey().toString(), "the input changed while the build read it");
            }
        }
    }

    /** Ends assembly: the spill file is complete. */
    public void finish() throws IOException {
        if (spillOut != null) {
            spillOut.close();
            spillOut = null;
        }
    }

    /** The tree as the scanner of a rootfs would read it, sorted by path bytes; hardlinks share a key. */
    public List<Scanned> scan() throws IOException {
        finish();
        resolvedParents.clear();
        List<Scanned> out = new ArrayList<>(nodes.size());
        Map<Content, String> keys = new java.util.IdentityHashMap<>();
        for (Iterator<Map.Entry<String, Node>> it = nodes.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Node> en = it.next();
            String rel = en.getKey();
            Node n = en.getValue();
            TreeEntry e = switch (n.type()) {
                case DIR -> new TreeEntry(rel, EntryType.DIR, n.mode(), n.uid(), n.gid(), n.mtime(), 0, null, 0, 0,
                        null);
                case SYMLINK -> new TreeEntry(rel, EntryType.SYMLINK, 0777, n.uid(), n.gid(), n.mtime(), 0,
                        n.linkTarget(), 0, 0, null);
                case FILE -> {
                    Content c = n.content();
                    yield new TreeEntry(rel, EntryType.FILE, n.mode(), n.uid(), n.gid(), n.mtime(), c.size, null, 0,
                            0, c.size > 0 ? c.blob : null, c.size > 0 ? c.offset : TreeEntry.WHOLE_FILE);
                }
                default -> new TreeEntry(rel, n.type(), n.mode(), n.uid(), n.gid(), n.mtime(), 0, null, n.devMajor(),
                        n.devMinor(), null);
            };
            String key = n.type() == EntryType.FILE && n.content().linked
                    ? keys.computeIfAbsent(n.content(), c -> Integer.toString(keys.size())) : null;
            out.add(new Scanned(e, key));
            it.remove(); // the index is done with: freed as the list grows, not held beside it
        }
        out.sort((x, y) -> PathOrder.BYTES.compare(x.entry().path(), y.entry().path()));
        return out;
    }
}
