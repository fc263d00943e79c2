package dev.twinbuild.pipeline.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * Which nodes of an {@link IndexTree} are in the tree. A node is never deleted from the {@link NodeTable} (its
 * id stays valid): removing marks it and its subtree absent in {@link NodeData} (no type) and unlinks them from
 * the lists of children, and an entry put at its name again makes it present ({@link #node}).
 */
final class IndexNodes {
    private final NodeTable names;
    private final NodeData data;

    IndexNodes(NodeTable names, NodeData data) {
        this.names = names;
        this.data = data;
    }

    /** The node of {@code rel} if it is in the tree, else {@link NodeTable#NONE}. */
    int present(String rel) {
        int id = names.find(rel);
        return id != NodeTable.NONE && data.type(id) != null ? id : NodeTable.NONE;
    }

    /** The node for {@code real}, whose parent is a directory of the tree: made present again if it was not. */
    int node(String real) {
        int id = names.findOrAdd(real);
        names.relink(id);
        return id;
    }

    /** Marks {@code id} (unless it is the root) and everything below it absent. */
    void removeSubtree(int id) {
        if (id != 0) { // the root stays, as the Rootfs keeps its directory
            data.absent(id);
        }
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
    List<Integer> children(int dir) {
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
}
