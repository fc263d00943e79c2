package dev.twinbuild.pipeline.emit.kernel;

import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits the tree for a kernel+initrd output, as LinuxKit does: the kernel file named by a path of the tree
 * (symlinks resolved inside the tree, as a chroot would), and the rest of the tree without it for the initrd.
 * Taken out: the kernel file and, when the path named a symlink, that symlink. If other names are hardlinks of
 * the kernel file, the first of them becomes the file and the others link to it.
 *
 * @param kernel  the regular file holding the kernel (its content source and size)
 * @param initrd  the tree without it, still sorted
 */
public record KernelInitrd(TreeEntry kernel, List<TreeEntry> initrd) {
    private static final int MAX_SYMLINKS = 40;

    public static KernelInitrd split(List<TreeEntry> entries, String kernelPath, String field) {
        Map<String, TreeEntry> byPath = new HashMap<>();
        for (TreeEntry e : entries) {
            byPath.put(e.path(), e);
        }
        String resolved = resolve(kernelPath, byPath, field);
        TreeEntry k = byPath.get(resolved);
        if (k == null || k.type() != EntryType.FILE && k.type() != EntryType.HARDLINK) {
            throw new InputException(field, kernelPath + " is not a regular file in the tree"
                    + (k == null ? "" : " (" + k.type().name().toLowerCase(java.util.Locale.ROOT) + ")"));
        }
        TreeEntry content = k.type() == EntryType.HARDLINK ? byPath.get(k.linkTarget()) : k;
        Set<String> drop = new HashSet<>();
        drop.add(resolved);
        String named = kernelPath.substring(1);
        TreeEntry namedEntry = byPath.get(named);
        if (namedEntry != null && namedEntry.type() == EntryType.SYMLINK) {
            drop.add(named);
        }
        List<TreeEntry> rest = new ArrayList<>(entries.size());
        String newPrimary = null;
        for (TreeEntry e : entries) {
            if (drop.contains(e.path())) {
                continue;
            }
            if (e.type() == EntryType.HARDLINK && e.linkTarget().equals(resolved) && k.type() == EntryType.FILE) {
                if (newPrimary == null) {
                    newPrimary = e.path();
                    e = new TreeEntry(e.path(), EntryType.FILE, e.mode(), e.uid(), e.gid(), e.mtime(), k.size(),
                            null, 0, 0, k.source());
                } else {
                    e = new TreeEntry(e.path(), EntryType.HARDLINK, e.mode(), e.uid(), e.gid(), e.mtime(), 0,
                            newPrimary, 0, 0, null);
                }
            }
            rest.add(e);
        }
        return new KernelInitrd(content, List.copyOf(rest));
    }

    /** The regular file an absolute path of the tree leads to (symlinks followed inside the tree). */
    public static TreeEntry fileAt(List<TreeEntry> entries, String path, String field) {
        Map<String, TreeEntry> byPath = new HashMap<>();
        for (TreeEntry e : entries) {
            byPath.put(e.path(), e);
        }
        TreeEntry k = byPath.get(resolve(path, byPath, field));
        if (k == null || k.type() != EntryType.FILE && k.type() != EntryType.HARDLINK) {
            throw new InputException(field, path + " is not a regular file in the tree");
        }
        return k.type() == EntryType.HARDLINK ? byPath.get(k.linkTarget()) : k;
    }

    /** The tree path (no leading "/") that an absolute path leads to, symlinks followed inside the tree. */
    static String resolve(String absolute, Map<String, TreeEntry> byPath, String field) {
        Deque<String> todo = new ArrayDeque<>(parts(absolute));
        List<String> done = new ArrayList<>();
        int hops = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            done.add(part);
            TreeEntry e = byPath.get(String.join("/", done));
            if (e != null && e.type() == EntryType.SYMLINK) {
                if (++hops > MAX_SYMLINKS) {
                    throw new InputException(field, absolute + ": too many levels of symbolic links in the tree");
                }
                done.remove(done.size() - 1);
                String target = e.linkTarget();
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> t = parts(target);
                for (int i = t.size() - 1; i >= 0; i--) {
                    todo.addFirst(t.get(i));
                }
            }
        }
        return String.join("/", done);
    }

    private static List<String> parts(String path) {
        return Arrays.asList(path.split("/"));
    }
}
