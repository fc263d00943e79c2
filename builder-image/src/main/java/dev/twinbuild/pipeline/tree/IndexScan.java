package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.normalise.TreeScanner.Scanned;

import java.util.AbstractList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * An {@link IndexTree} as the scanner of a rootfs would read it, sorted by path bytes ({@link TreeOrder});
 * hardlinks share a key. The list makes each entry when it is read: only the order (an int an entry) is held
 * besides the index, never an entry object per node.
 */
final class IndexScan extends AbstractList<Scanned> {
    private final NodeTable names;
    private final NodeData data;
    private final IndexContents contents;
    private final int[] sorted;

    /** @param children the present children of a directory node (absent ones dropped on the way) */
    IndexScan(NodeTable names, NodeData data, IndexContents contents, IntFunction<List<Integer>> children) {
        this.names = names;
        this.data = data;
        this.contents = contents;
        int present = 0;
        for (int id = 0; id < names.size(); id++) {
            present += data.type(id) != null ? 1 : 0;
        }
        sorted = new int[present];
        sorted[0] = 0;
        if (TreeOrder.append(names, data, children, 0, sorted, 1) != present) {
            throw new IllegalStateException("the index lost track of an entry");
        }
    }

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
                        size, null, 0, 0, size > 0 ? contents.path(data.contentBlob(c)) : null,
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
