package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.normalise.TreeScanner.Scanned;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The merged tree as an index of entries, for builds that need no rootfs on disk (no steps, stream outputs):
 * a file's content stays where it lies, at its offset in the uncompressed layer, and is read from there when
 * an output is written. Contents with no such place (compressed layers, inline files, sparse entries) are
 * appended to one spill file ({@link IndexContents}). Names are resolved by {@link SafePaths}, as for a
 * {@link Rootfs}, and every operation mirrors what the Rootfs does on disk, so both give the same tree and the
 * same refusals.
 *
 * <p>Memory is flat: names live in a {@link NodeTable}, metadata in {@link NodeData}'s primitive arrays, so an
 * entry costs some 90 bytes plus its name, and no object ({@link IndexScan} makes entries only as they are read).
 */
public final class IndexTree implements Tree, SafePaths.Growable {
    private final NodeTable names = new NodeTable();
    private final NodeData data = new NodeData();
    private final IndexNodes nodes = new IndexNodes(names, data);
    /** Raw parent name → resolved parent; valid until something is removed (only then can a kind change). */
    private final Map<String, String> resolvedParents = new HashMap<>();
    private final IndexArchiveLog archive = new IndexArchiveLog(names, data);
    private final long defaultMtime;
    private final IndexContents contents;

    /** @param spill the file that holds contents with no place of their own (created when first needed) */
    public IndexTree(Path spill, long defaultMtime) {
        this.contents = new IndexContents(spill);
        this.defaultMtime = defaultMtime;
        data.setDir(0, 0755, 0, 0, defaultMtime);
    }

    private int present(String rel) {
        return nodes.present(rel);
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

    private int node(String real) {
        return nodes.node(real);
    }

    @Override
    public void makeDir(String rel) {
        data.setDir(node(rel), 0755, 0, 0, defaultMtime);
    }

    @Override
    public void putFile(String real, InputStream content, long size, int mode, long uid, long gid, long mtime)
            throws IOException {
        clear(real);
        long offset = contents.spillPosition();
        long copied = contents.spill(content);
        put(real, size, copied, contents.spillBlob(), offset, mode, uid, gid, mtime);
    }

    @Override
    public void putFileAt(String real, InputStream content, long size, Path blob, long offset, int mode, long uid,
                          long gid, long mtime) throws IOException {
        contents.pin(blob);
        clear(real);
        long copied = contents.count(content);
        put(real, size, copied, contents.blob(blob), offset, mode, uid, gid, mtime);
    }

    private void put(String real, long size, long copied, int blob, long offset, int mode, long uid, long gid,
                     long mtime) {
        if (copied != size) {
            throw new InputException(real, "content is " + copied + " bytes, header says " + size);
        }
        data.setFile(node(real), mode & 07777, uid, gid, mtime, data.newContent(blob, offset, copied));
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
        nodes.removeSubtree(id);
    }

    @Override
    public void startArchive() {
        archive.start();
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
    public void clearChildren(String realDir) {
        int d = present(realDir);
        if (d == NodeTable.NONE || data.type(d) != EntryType.DIR) {
            return;
        }
        for (int c : nodes.children(d)) {
            if (!archive.added(c)) {
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
        contents.checkUnchanged();
    }

    /** Ends assembly: the spill file is complete. */
    public void finish() throws IOException {
        contents.finish();
    }

    /**
     * The tree as the scanner of a rootfs would read it, sorted by path bytes; hardlinks share a key. The list
     * makes each entry when it is read: only the order (an int an entry) is held besides the index.
     */
    public List<Scanned> scan() throws IOException {
        finish();
        resolvedParents.clear();
        return new IndexScan(names, data, contents, nodes::children);
    }
}
