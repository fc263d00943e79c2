package dev.twinbuild.pipeline.tree;

import java.util.HashMap;
import java.util.Map;

/**
 * What one archive put into an {@link IndexTree} ({@link Tree#seen}, {@link Tree#clearChildren}), as
 * {@link ArchiveLog} is for a Rootfs, without a map entry per entry: an entry whose name is its place in the tree
 * (no symlink on the way, as nearly always) is stamped on that node's flags in {@link NodeData}; only the others
 * are remembered by name.
 */
final class IndexArchiveLog {
    private final NodeTable names;
    private final NodeData data;
    /** The archive's names that are not their place in the tree (a symlink on the way). */
    private final Map<String, EntryType> seenElsewhere = new HashMap<>();

    IndexArchiveLog(NodeTable names, NodeData data) {
        this.names = names;
        this.data = data;
    }

    void start() {
        data.startArchive(names.size());
        seenElsewhere.clear();
    }

    EntryType seen(String name) {
        int id = names.find(name);
        EntryType t = id != NodeTable.NONE ? data.seen(id) : null;
        return t != null ? t : seenElsewhere.get(name);
    }

    void added(String name, String real, EntryType type) {
        int id = names.find(real);
        if (name.equals(real)) {
            data.stampSeen(id, type);
        } else {
            seenElsewhere.put(name, type);
        }
        data.stampAdded(id);
    }

    /** Whether this archive added the node {@code id}. */
    boolean added(int id) {
        return data.added(id);
    }
}
