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
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The merged tree as an index of entries, for builds that need no rootfs on disk (no steps, stream outputs):
 * a file's content stays where it lies, at its offset in the uncompressed layer, and is read from there when
 * an output is written. Contents with no such place (compressed layers, inline files, sparse entries) are
 * appended to one spill file. Names are resolved by {@link SafePaths}, as for a {@link Rootfs}, and every
 * operation mirrors what the Rootfs does on disk, so both give the same tree and the same refusals.
 *
 * <p>Memory is flat: names live in a {@link NodeTable}, metadata in {@link NodeData}'s primitive arrays, so an
 * entry costs some 90 bytes plus its name, and no object.
 */
public final class IndexTree implements Tree, SafePaths.Growable {
    private final NodeTable names = new NodeTable();
    private final NodeData data = new NodeData();
    /** Raw parent name → resolved parent; valid until something is removed (only then can a kind change). */
    private final Map<String, String> resolvedParents = new HashMap<>();
    /** Layer files contents are read from by position, with their identity when first seen. */
    private final Map<Path, String> blobs = new HashMap<>();
    private final List<Path> blobList = new ArrayList<>();
    /** The archive's names that are not their place in the tree (a symlink on the way). */
    private final Map<String, EntryType> seenElsewhere = new HashMap<>();
    private final long defaultMtime;
    private final Path spill;
    private FileChannel spillOut;
    private byte[] buffer;

    /** @param spill the file that holds contents with no place of their own (created when first needed) */
    public IndexTree(Path spill, long defaultMtime) {
        this.spill = spill;
        this.defaultMtime = defaultMtime;
        data.setDir(0, 0755, 0, 0, defaultMtime);
    }

    private int present(String rel) {
        int id = names.find(rel);
        return id != NodeTable.NONE && data.type(id) != null ? id : NodeTable.NONE;
    }

    @Override
    public SafePaths.Kind kind(String rel) {
        int id = present(rel);
        if (id == NodeTable.NONE) {
            return SafePaths.Kind.MISSING;
        }
        return switch (data.type(id)) {
            case DIR -> SafePaths.Kind.DIR;
            case SYMLINK -> SafePaths.Kind.SYMLINK;
            default -> SafePaths.Kind.OTHER;
        };
    }

    @Override
    public String readLink(String rel) {
        return data.linkTarget(present(rel));
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

    /** The node for {@code real}, whose parent is a directory of the tree: made present again if it was not. */
    private int node(String real) {
        int id = names.findOrAdd(real);
        names.relink(id);
        return id;
    }

    @Override
    public void makeDir(String rel) {
        data.setDir(node(rel), 0755, 0, 0, defaultMtime);
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
        put(real, size, copied, blob(spill), offset, mode, uid, gid, mtime);
    }

    @Override
    public void putFileAt(String real, InputStream content, long size, Path blob, long offset, int mode, long uid,
                          long gid, long mtime) throws IOException {
        if (!blobs.containsKey(blob)) {
            blobs.put(blob, LayerIdentity.of(blob));
        }
        clear(real);
        long copied = content == null ? 0 : copy(content, null);
        put(real, size, copied, blob(blob), offset, mode, uid, gid, mtime);
    }

    private int blob(Path p) {
        int i = blobList.indexOf(p);
        if (i < 0) {
            blobList.add(p);
            i = blobList.size() - 1;
        }
        return i;
    }

    private void put(String real, long size, long copied, int blob, long offset, int mode, long uid, long gid,
                     long mtime) {
        if (copied != size) {
            throw new InputException(real, "content is " + copied + " bytes, header says " + size);
        }
        data.setFile(node(real), mode & 07777, uid, gid, mtime, data.newContent(blob, offset, copied));
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
        int before = present(real);
        if (before != NodeTable.NONE && data.type(before) != EntryType.DIR) {
            remove(real);
        }
        // an existing directory keeps its contents; only its metadata changes
        data.setDir(node(real), mode & 07777, uid, gid, mtime);
    }

    @Override
    public void putSymlink(String real, String target, long uid, long gid, long mtime, String what)
            throws IOException {
        SafePaths.checkSymlinkTarget(real, target, what);
        clear(real);
        data.setSymlink(node(real), uid, gid, mtime, target);
    }

    @Override
    public void putHardlink(String real, String targetReal, String what) throws IOException {
        if (real.equals(targetReal)) {
            throw new InputException(what, "hardlink to itself");
        }
        int target = present(targetReal);
        if (target == NodeTable.NONE || data.type(target) != EntryType.FILE) {
            throw new InputException(what, "hardlink target '" + SafePaths.quote(targetReal)
                    + "' is not a regular file in the tree");
        }
        clear(real);
        data.link(node(real), target);
    }

    @Override
    public void putSpecial(String real, EntryType type, int mode, long uid, long gid, long mtime, int major,
                           int minor) {
        clear(real);
        data.setSpecial(node(real), type, mode & 07777, uid, gid, mtime, major, minor);
    }

    private void clear(String real) {
        if (present(real) != NodeTable.NONE) {
            remove(real);
        }
    }

    @Override
    public void remove(String real) {
        int id = present(real);
        resolvedParents.clear();
        if (id == NodeTable.NONE) {
            return;
        }
        if (id == 0) {
            removeChildren(0); // the root stays, as the Rootfs keeps its directory
            return;
        }
        data.absent(id);
        removeChildren(id);
    }

    /**
     * Marks every node below {@code id} absent and empties the lists of children on the way. An absent node's
     * children are all absent, so only present ones are walked.
     */
    private void removeChildren(int id) {
        List<Integer> todo = new ArrayList<>();
        todo.add(id);
        while (!todo.isEmpty()) {
            int d = todo.remove(todo.size() - 1);
            for (int c = names.firstChild(d); c != NodeTable.NONE; c = names.nextSibling(c)) {
                if (data.type(c) != null) {
                    data.absent(c);
                    todo.add(c);
                }
            }
            names.detachChildren(d);
        }
    }

    /** The present children of {@code dir}; absent ones are dropped from its list on the way. */
    private List<Integer> children(int dir) {
        List<Integer> out = new ArrayList<>();
        int prev = NodeTable.NONE;
        for (int c = names.firstChild(dir); c != NodeTable.NONE; ) {
            int next = names.nextSibling(c);
            if (data.type(c) == null) {
                names.drop(prev, c);
            } else {
                out.add(c);
                prev = c;
            }
            c = next;
        }
        return out;
    }

    @Override
    public void startArchive() {
        data.startArchive(names.size());
        seenElsewhere.clear();
    }

    /**
     * An entry whose name is its place in the tree (no symlink on the way, as nearly always) is stamped on that
     * node; only the others are remembered by name.
     */
    @Override
    public EntryType seen(String name) {
        int id = names.find(name);
        EntryType t = id != NodeTable.NONE ? data.seen(id) : null;
        return t != null ? t : seenElsewhere.get(name);
    }

    @Override
    public void added(String name, String real, EntryType type) {
        int id = names.find(real);
        if (name.equals(real)) {
            data.stampSeen(id, type);
        } else {
            seenElsewhere.put(name, type);
        }
        data.stampAdded(id);
    }

    @Override
    public void clearChildren(String realDir) {
        int d = present(realDir);
        if (d == NodeTable.NONE || data.type(d) != EntryType.DIR) {
            return;
        }
        for (int c : children(d)) {
            if (!data.added(c)) {
                remove(names.path(c));
            }
        }
    }

    @Override
    public void fixDirectoryTimes() {
        // times are kept in the index, never changed by adding children
    }

    /**
     * Refuses the build if a layer file whose contents were read again by position changed since it was
     * first read (and its pin checked): the outputs would then not be made of the pinned input.
     */
    @Override
    public void checkLayersUnchanged() throws IOException {
        LayerIdentity.check(blobs);
    }

    /** Ends assembly: the spill file is complete. */
    public void finish() throws IOException {
        if (spillOut != null) {
            spillOut.close();
            spillOut = null;
        }
    }

    /**
     * The tree as the scanner of a rootfs would read it, sorted by path bytes; hardlinks share a key. The list
     * makes each entry when it is read: only the order (an int an entry) is held besides the index.
     */
    public List<Scanned> scan() throws IOException {
        finish();
        resolvedParents.clear();
        int present = 0;
        for (int id = 0; id < names.size(); id++) {
            present += data.type(id) != null ? 1 : 0;
        }
        int[] sorted = new int[present];
        sorted[0] = 0;
        if (TreeOrder.append(names, data, this::children, 0, sorted, 1) != present) {
            throw new IllegalStateException("the index lost track of an entry");
        }
        return new AbstractList<>() {
            @Override
            public Scanned get(int i) {
                return scanned(sorted[i]);
            }

            @Override
            public Scanned set(int i, Scanned s) {
                return null; // the normaliser says it is done with an entry: nothing is held for it
            }

            @Override
            public int size() {
                return sorted.length;
            }
        };
    }

    private Scanned scanned(int id) {
        String rel = names.path(id);
        EntryType type = data.type(id);
        TreeEntry e = switch (type) {
            case DIR -> new TreeEntry(rel, EntryType.DIR, data.mode(id), data.uid(id), data.gid(id), data.mtime(id),
                    0, null, 0, 0, null);
            case SYMLINK -> new TreeEntry(rel, EntryType.SYMLINK, 0777, data.uid(id), data.gid(id), data.mtime(id), 0,
                    data.linkTarget(id), 0, 0, null);
            case FILE -> {
                int c = data.content(id);
                long size = data.contentSize(c);
                yield new TreeEntry(rel, EntryType.FILE, data.mode(id), data.uid(id), data.gid(id), data.mtime(id),
                        size, null, 0, 0, size > 0 ? blobList.get(data.contentBlob(c)) : null,
                        size > 0 ? data.contentOffset(c) : TreeEntry.WHOLE_FILE);
            }
            default -> new TreeEntry(rel, type, data.mode(id), data.uid(id), data.gid(id), data.mtime(id), 0, null,
                    data.devMajor(id), data.devMinor(id), null);
        };
        String key = type == EntryType.FILE && data.linked(data.content(id)) ? Integer.toString(data.content(id))
                : null;
        return new Scanned(e, key);
    }
}
