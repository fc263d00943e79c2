package dev.twinbuild.pipeline.tree;

import java.util.List;
import java.util.function.IntFunction;

/**
 * Lists the nodes of a {@link NodeTable} in the order of their full paths' bytes ({@link PathOrder#BYTES})
 * without making those paths: within a directory, a child sorts by its name and the child's subtree as one
 * block by its name plus '/' (every path below the child starts with that, and no sibling's path does).
 */
final class TreeOrder {
    private TreeOrder() {
    }

    /**
     * Appends the subtree below {@code dir} (not {@code dir} itself) to {@code out} from {@code n}; returns the
     * new count.
     */
    static int append(NodeTable names, NodeData data, IntFunction<List<Integer>> children, int dir, int[] out,
                      int n) {
        List<Integer> kids = children.apply(dir);
        // an item is a child (even) or its subtree (odd)
        long[] items = new long[kids.size() * 2];
        int count = 0;
        for (int c : kids) {
            items[count++] = (long) c << 1;
            if (data.type(c) == EntryType.DIR) {
                items[count++] = ((long) c << 1) | 1;
            }
        }
        sort(names, items, new long[count], 0, count);
        for (int i = 0; i < count; i++) {
            int id = (int) (items[i] >>> 1);
            if ((items[i] & 1) == 0) {
                out[n++] = id;
            } else {
                n = append(names, data, children, id, out, n);
            }
        }
        return n;
    }

    /** Merge sort of {@code a[from, to)}, {@code tmp} as scratch. */
    private static void sort(NodeTable names, long[] a, long[] tmp, int from, int to) {
        if (to - from < 2) {
            return;
        }
        if (to - from <= 8) {
            for (int i = from + 1; i < to; i++) {
                long x = a[i];
                int j = i - 1;
                while (j >= from && less(names, x, a[j])) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        sort(names, a, tmp, from, mid);
        sort(names, a, tmp, mid, to);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
            tmp[k++] = less(names, a[j], a[i]) ? a[j++] : a[i++];
        }
        while (i < mid) {
            tmp[k++] = a[i++];
        }
        while (j < to) {
            tmp[k++] = a[j++];
        }
        System.arraycopy(tmp, from, a, from, to - from);
    }

    private static boolean less(NodeTable names, long x, long y) {
        return names.compare((int) (x >>> 1), (x & 1) != 0, (int) (y >>> 1), (y & 1) != 0) < 0;
    }
}
