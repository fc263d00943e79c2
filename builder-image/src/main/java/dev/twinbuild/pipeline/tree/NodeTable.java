package dev.twinbuild.pipeline.tree;

import java.nio.charset.StandardCharsets;

/**
 * The names of an {@link IndexTree} without an object per entry: node {@code i} is a name component (UTF-8
 * bytes, stored once in {@link Columns.Strings}) under its parent node, linked into its parent's list of
 * children; an open-addressing table finds a node by (parent, name). Node 0 is the root. Nodes are never
 * deleted (their id stays valid, the tree marks them absent). About 24 bytes a node plus its name's.
 */
final class NodeTable {
    static final int NONE = -1;

    private final Columns.Strings strings = new Columns.Strings();
    private final Columns.Ints name = new Columns.Ints(); // string address; sign bit: dropped from its parent's list
    private final Columns.Ints parent = new Columns.Ints();
    private final Columns.Ints firstChild = new Columns.Ints(); // node id + 1, 0: none
    private final Columns.Ints nextSibling = new Columns.Ints(); // node id + 1, 0: none
    private int[] slots = new int[4096]; // node id + 1, 0 = empty
    private int size;

    NodeTable() {
        add(NONE, new byte[0]); // the root
    }

    int size() {
        return size;
    }

    int parent(int id) {
        return parent.get(id);
    }

    int firstChild(int id) {
        return firstChild.get(id) - 1;
    }

    int nextSibling(int id) {
        return nextSibling.get(id) - 1;
    }

    /**
     * Empties the list of children of {@code id} (the caller has read it). A node is in its parent's list
     * from when it is added until it is dropped from it here or by {@link #drop}; {@link #relink} puts it back.
     */
    void detachChildren(int id) {
        for (int c = firstChild(id); c != NONE; ) {
            int next = nextSibling(c);
            nextSibling.set(c, 0);
            linked(c, false);
            c = next;
        }
        firstChild.set(id, 0);
    }

    /** Drops {@code child} from its parent's list; {@code prev} is the sibling before it, or {@link #NONE}. */
    void drop(int prev, int child) {
        if (prev == NONE) {
            firstChild.set(parent(child), nextSibling.get(child));
        } else {
            nextSibling.set(prev, nextSibling.get(child));
        }
        nextSibling.set(child, 0);
        linked(child, false);
    }

    /** Puts {@code child} back into its parent's list if it was dropped from it. */
    void relink(int child) {
        if (child != 0 && name.get(child) < 0) {
            int p = parent(child);
            nextSibling.set(child, firstChild.get(p));
            firstChild.set(p, child + 1);
            linked(child, true);
        }
    }

    private void linked(int id, boolean on) {
        int n = name.get(id);
        name.set(id, on ? n & Integer.MAX_VALUE : n | Integer.MIN_VALUE);
    }

    private int address(int id) {
        return name.get(id) & Integer.MAX_VALUE;
    }

    /** The node of {@code rel} ("" is the root), or {@link #NONE}. */
    int find(String rel) {
        if (rel.isEmpty()) {
            return 0;
        }
        int cur = 0;
        int from = 0;
        while (cur != NONE && from <= rel.length()) {
            int slash = rel.indexOf('/', from);
            int end = slash < 0 ? rel.length() : slash;
            cur = child(cur, rel.substring(from, end).getBytes(StandardCharsets.UTF_8));
            from = end + 1;
        }
        return cur;
    }

    /** The node of {@code rel}, added (with its missing ancestors) if there is none. */
    int findOrAdd(String rel) {
        int cur = 0;
        int from = 0;
        while (!rel.isEmpty() && from <= rel.length()) {
            int slash = rel.indexOf('/', from);
            int end = slash < 0 ? rel.length() : slash;
            byte[] n = rel.substring(from, end).getBytes(StandardCharsets.UTF_8);
            int c = child(cur, n);
            cur = c != NONE ? c : add(cur, n);
            from = end + 1;
        }
        return cur;
    }

    private int child(int parentId, byte[] n) {
        int mask = slots.length - 1;
        for (int s = hash(parentId, n, 0, n.length) & mask; ; s = (s + 1) & mask) {
            int v = slots[s];
            if (v == 0) {
                return NONE;
            }
            int id = v - 1;
            if (parent(id) == parentId && strings.equals(address(id), n)) {
                return id;
            }
        }
    }

    private int add(int parentId, byte[] n) {
        int id = size++;
        name.set(id, strings.add(n));
        parent.set(id, parentId);
        if (parentId != NONE) {
            nextSibling.set(id, firstChild.get(parentId));
            firstChild.set(parentId, id + 1);
            if (size * 4 > slots.length * 3) {
                rehash(slots.length * 2);
            }
            insert(id);
        }
        return id;
    }

    private void insert(int id) {
        int mask = slots.length - 1;
        int s = strings.hash(address(id), parent(id)) & mask;
        while (slots[s] != 0) {
            s = (s + 1) & mask;
        }
        slots[s] = id + 1;
    }

    private void rehash(int capacity) {
        slots = new int[capacity];
        for (int id = 1; id < size; id++) {
            insert(id);
        }
    }

    static int hash(int parentId, byte[] b, int from, int to) {
        int h = parentId * 0x9E3779B9;
        for (int i = from; i < to; i++) {
            h = 31 * h + b[i];
        }
        h *= 0x85EBCA6B;
        return h ^ (h >>> 15);
    }

    /** The path of node {@code id} relative to the root. */
    String path(int id) {
        if (id == 0) {
            return "";
        }
        int length = -1;
        for (int n = id; n != 0; n = parent(n)) {
            length += strings.length(address(n)) + 1;
        }
        byte[] b = new byte[length];
        int end = length;
        for (int n = id; n != 0; n = parent(n)) {
            end -= strings.length(address(n));
            strings.copy(address(n), b, end);
            if (end > 0) {
                b[--end] = '/';
            }
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Compares the names of two nodes as path bytes, each followed by '/' when its flag is set: the order of
     * full paths among the entries of one directory, where a child's subtree sorts as its name plus '/'.
     */
    int compare(int a, boolean slashA, int b, boolean slashB) {
        int addrA = address(a);
        int addrB = address(b);
        int na = strings.length(addrA);
        int nb = strings.length(addrB);
        int la = na + (slashA ? 1 : 0);
        int lb = nb + (slashB ? 1 : 0);
        int n = Math.min(la, lb);
        for (int i = 0; i < n; i++) {
            int x = i < na ? strings.byteAt(addrA, i) : '/';
            int y = i < nb ? strings.byteAt(addrB, i) : '/';
            if (x != y) {
                return x - y;
            }
        }
        return la - lb;
    }
}
