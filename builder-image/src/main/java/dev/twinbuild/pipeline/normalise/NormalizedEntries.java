package dev.twinbuild.pipeline.normalise;

import dev.twinbuild.pipeline.normalise.TreeScanner.Scanned;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.util.AbstractList;
import java.util.HashMap;
import java.util.Map;
import java.util.RandomAccess;

/**
 * The normalised tree as a view of the scanned one: which scanned entries ship (an int each), the few that
 * normalisation changed, and the clamp of every time to SOURCE_DATE_EPOCH applied as an entry is read. So the
 * shipped tree costs no object per entry beyond what the scanned list holds (with an index tree, nothing).
 */
final class NormalizedEntries extends AbstractList<TreeEntry> implements RandomAccess {
    private final java.util.List<Scanned> scanned;
    private final long sourceDateEpoch;
    private final Map<Integer, TreeEntry> changed = new HashMap<>();
    /** Shipped rows, or null while every row so far shipped (then entry i is row i). */
    private int[] rows;
    private int size;

    NormalizedEntries(java.util.List<Scanned> scanned, long sourceDateEpoch) {
        this.scanned = scanned;
        this.sourceDateEpoch = sourceDateEpoch;
    }

    /** Ships scanned entry {@code row}; {@code e} is what it became, or null if unchanged. */
    void ship(int row, TreeEntry e) {
        if (rows == null && row != size) {
            rows = new int[scanned.size()];
            for (int i = 0; i < size; i++) {
                rows[i] = i;
            }
        }
        if (rows != null) {
            rows[size] = row;
        }
        size++;
        if (e != null) {
            changed.put(row, e);
        }
    }

    @Override
    public TreeEntry get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        int row = rows == null ? i : rows[i];
        TreeEntry e = changed.isEmpty() ? null : changed.get(row);
        return clamp(e != null ? e : scanned.get(row).entry());
    }

    @Override
    public int size() {
        return size;
    }

    private TreeEntry clamp(TreeEntry e) {
        long t = Math.max(0, Math.min(e.mtime(), sourceDateEpoch));
        return t == e.mtime() ? e : e.withMtime(t);
    }
}
