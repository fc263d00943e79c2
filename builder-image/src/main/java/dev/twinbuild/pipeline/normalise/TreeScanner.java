package dev.twinbuild.pipeline.normalise;

import dev.twinbuild.pipeline.BuildOptions.DirOrder;
import dev.twinbuild.pipeline.tree.ContentFence;
import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.Meta;
import dev.twinbuild.pipeline.tree.PathOrder;
import dev.twinbuild.pipeline.tree.TreeEntry;
import dev.twinbuild.pipeline.tree.TreeRemoval;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the final tree back from disk, joined with the metadata kept during assembly. The disk says
 * what exists and what steps changed; the metadata says owners, special bits and device numbers.
 * The result is sorted by path bytes whatever order the directories were read in.
 *
 * <p>With a {@link ContentFence}, a regular file no step changed (its ctime is not after the fence) keeps the
 * place of its content in its layer, which the outputs read instead of the disk; then the tree can be removed
 * while the outputs are written ({@link #removeUnread}).
 */
public final class TreeScanner {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final String ATTRS = "unix:mode,ino,dev,size,lastModifiedTime,ctime";
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;

    private final Path root;
    private final Map<String, Meta> meta;
    private final DirOrder order;
    private ContentFence fence;

    public TreeScanner(Path root, Map<String, Meta> meta, DirOrder order) {
        this(root, meta, order, null);
    }

    /** @param fence where assembly ended ({@link dev.twinbuild.pipeline.tree.Rootfs#contentFence}), or null: every content from the disk */
    public TreeScanner(Path root, Map<String, Meta> meta, DirOrder order, ContentFence fence) {
        this.root = root;
        this.meta = meta;
        this.order = order;
        this.fence = fence;
    }

    /** Entries with the on-disk identity (dev:ino) of regular files, for hardlink grouping. */
    public record Scanned(TreeEntry entry, String fileKey) {
    }

    public List<Scanned> scan() throws IOException {
        if (fence != null && !fence.holds()) {
            fence = null; // the clock was set back: ctimes prove nothing
        }
        List<Scanned> out = new ArrayList<>();
        Map<String, Object> a = Files.readAttributes(root, ATTRS, NOFOLLOW);
        out.add(entry(root, "", a));
        walk(root, "", out);
        out.sort((x, y) -> PathOrder.BYTES.compare(x.entry().path(), y.entry().path()));
        return out;
    }

    /** Adds the children of {@code dir} (already added itself), reading each entry's attributes once. */
    private void walk(Path dir, String rel, List<Scanned> out) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(children::add);
        }
        if (order == DirOrder.REVERSE) {
            Collections.reverse(children);
        }
        String prefix = rel.isEmpty() ? "" : rel + "/";
        for (Path c : children) {
            String childRel = prefix + c.getFileName().toString();
            Map<String, Object> a = Files.readAttributes(c, ATTRS, NOFOLLOW);
            out.add(entry(c, childRel, a));
            if (((Integer) a.get("mode") & S_IFMT) == S_IFDIR) {
                walk(c, childRel, out);
            }
        }
    }

    /**
     * Starts removing the tree while the outputs are written, all but the files they read from the disk; null
     * if they read every file from there (no fence). The caller closes it before the tree is removed whole.
     */
    public TreeRemoval removeUnread(List<Scanned> scanned) {
        if (fence == null) {
            return null;
        }
        List<String> paths = new ArrayList<>(scanned.size());
        boolean[] dirs = new boolean[scanned.size()];
        Set<String> keep = new HashSet<>();
        for (Scanned s : scanned) {
            TreeEntry e = s.entry();
            if (e.isRoot()) {
                continue;
            }
            dirs[paths.size()] = e.type() == EntryType.DIR;
            paths.add(e.path());
            if (e.source() != null && e.offset() == TreeEntry.WHOLE_FILE) {
                keep.add(e.path());
            }
        }
        return TreeRemoval.startExcept(root, paths, dirs, keep);
    }

    private Scanned entry(Path p, String rel, Map<String, Object> a) throws IOException {
        int unixMode = (Integer) a.get("mode");
        int perm = unixMode & 07777;
        long mtime = Math.floorDiv(((FileTime) a.get("lastModifiedTime")).toMillis(), 1000);
        long size = (Long) a.get("size");
        Meta m = meta.get(rel);
        EntryType type = switch (unixMode & S_IFMT) {
            case S_IFDIR -> EntryType.DIR;
            case S_IFREG -> EntryType.FILE;
            case S_IFLNK -> EntryType.SYMLINK;
            default -> throw new IOException(rel + ": unexpected file type on disk (0" + Integer.toOctalString(unixMode)
                    + "); build steps may create files, directories and symlinks only");
        };
        // Metadata applies while the disk still shows what assembly put there; a step's change wins.
        boolean known = m != null && (m.type() == type || m.type().isSpecial() && type == EntryType.FILE && size == 0
                || m.type() == EntryType.HARDLINK && type == EntryType.FILE);
        long uid = known ? m.uid() : 0;
        long gid = known ? m.gid() : 0;
        int mode = known && (m.diskMode() & 0777) == (perm & 0777) ? m.mode() : perm;
        if (type == EntryType.SYMLINK) {
            String target = Files.readSymbolicLink(p).toString();
            boolean same = known && target.equals(m.linkTarget());
            return new Scanned(new TreeEntry(rel, type, 0777, uid, gid, same ? m.mtime() : mtime, 0, target, 0, 0,
                    null), null);
        }
        if (known && m.type().isSpecial()) {
            return new Scanned(new TreeEntry(rel, m.type(), m.mode(), uid, gid, m.mtime(), 0, null, m.devMajor(),
                    m.devMinor(), null), null);
        }
        if (type == EntryType.DIR) {
            return new Scanned(new TreeEntry(rel, type, mode, uid, gid, mtime, 0, null, 0, 0, null), null);
        }
        String key = a.get("dev") + ":" + a.get("ino");
        if (fence != null && known && m.blob() != null && mtime == m.mtime()
                && fence.before((FileTime) a.get("ctime"))) {
            // as assembly wrote it: the same bytes lie in the layer
            return new Scanned(new TreeEntry(rel, type, mode, uid, gid, mtime, size, null, 0, 0,
                    size > 0 ? m.blob() : null, size > 0 ? m.offset() : TreeEntry.WHOLE_FILE), key);
        }
        return new Scanned(new TreeEntry(rel, type, mode, uid, gid, mtime, size, null, 0, 0, size > 0 ? p : null), key);
    }
}
