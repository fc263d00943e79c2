package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Turns untrusted names from archives and specs into paths inside the root, and never lets one
 * reach outside: '..' and absolute names are refused, and symlinks met on the way are resolved as a
 * chroot would, refusing any that climbs above the root.
 */
public final class SafePaths {
    private static final int MAX_LINKS = 40;
    /**
     * Longest path of an entry in the tree, as named and as resolved through symlinks. Below Linux's PATH_MAX
     * (4096 with its NUL) by {@link #MAX_ROOT_BYTES}, so that the entry's path on disk fits as well: the tree
     * is the same, and refuses the same entries, whether it lies on disk or is an index of entries.
     */
    public static final int MAX_PATH_BYTES = 3840;
    /** Longest path of a directory a tree can be extracted into (see {@link #checkRootDir}). */
    public static final int MAX_ROOT_BYTES = 4095 - MAX_PATH_BYTES - 1;
    /** Longest symlink target Linux stores (PATH_MAX less its NUL). */
    public static final int MAX_LINK_BYTES = 4095;
    /** NAME_MAX of Linux file systems; tar and cpio readers expect no more either. */
    public static final int MAX_NAME_BYTES = 255;
    /** Names quoted in messages are cut to about this many characters. */
    private static final int QUOTE_CHARS = 600;

    private SafePaths() {
    }

    /** "./usr//bin/" becomes "usr/bin"; "" is the root. Refuses '..', absolute names and NUL. */
    public static String normalise(String raw, String what) {
        if (raw.indexOf('\0') >= 0) {
            throw new InputException(what, "NUL byte in name");
        }
        checkLength(raw, what);
        if (raw.startsWith("/")) {
            throw new InputException(what, "absolute path '" + quote(raw) + "' in archive is refused");
        }
        List<String> parts = new ArrayList<>();
        for (String p : raw.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                throw new InputException(what, "'..' in path '" + quote(raw) + "' is refused");
            }
            // Checked here, not left to the file system: its error would be a bare exception with a host path.
            if (p.length() > MAX_NAME_BYTES / 3 && p.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new InputException(what, "a name component is longer than " + MAX_NAME_BYTES + " bytes");
            }
            parts.add(p);
        }
        return String.join("/", parts);
    }

    /** Like {@link #normalise} for absolute paths given in a spec ("/etc/hostname" → "etc/hostname"). */
    public static String normaliseAbsolute(String raw, String what) {
        if (!raw.startsWith("/")) {
            throw new InputException(what, "must be an absolute path");
        }
        return normalise(raw.substring(1), what);
    }

    /** Refuses a tree path longer than {@link #MAX_PATH_BYTES} (as named, or as resolved through symlinks). */
    public static void checkLength(String path, String what) {
        if (path.length() > MAX_PATH_BYTES / 3 && bytes(path) > MAX_PATH_BYTES) {
            throw new InputException(what, "path longer than " + MAX_PATH_BYTES + " bytes");
        }
    }

    /**
     * Refuses a directory to extract a tree into whose own path would leave entries at the longest tree
     * path ({@link #MAX_PATH_BYTES}) over PATH_MAX: a fault of the set-up, named as such, never an entry's.
     */
    public static void checkRootDir(Path dir, String what) {
        int n = bytes(dir.toAbsolutePath().toString());
        if (n > MAX_ROOT_BYTES) {
            throw new InputException(what, "the work directory's path is " + n + " bytes; at most " + MAX_ROOT_BYTES
                    + " leave room for the longest path an entry may have (" + MAX_PATH_BYTES + " bytes)");
        }
    }

    /**
     * A name from an archive as a message may show it: control characters (NUL, newlines, escapes) as
     * \xNN, and the middle of a very long name left out.
     */
    public static String quote(String name) {
        StringBuilder sb = new StringBuilder(Math.min(name.length(), QUOTE_CHARS) + 16);
        int len = name.length();
        boolean cut = len > QUOTE_CHARS;
        for (int i = 0; i < len; i++) {
            if (cut && i == QUOTE_CHARS / 2) {
                sb.append("…(").append(bytes(name)).append(" bytes)…");
                i = len - QUOTE_CHARS / 4;
            }
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * Checks a symlink target lexically from the link's directory: relative targets may not climb above
     * the root. Absolute targets mean the same path inside the root.
     */
    public static void checkSymlinkTarget(String linkPath, String target, String what) {
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            throw new InputException(what, "invalid symlink target" + (target.isEmpty() ? " (empty)" : " (NUL byte)"));
        }
        if (target.length() > MAX_LINK_BYTES / 3 && bytes(target) > MAX_LINK_BYTES) {
            throw new InputException(what, "symlink target longer than " + MAX_LINK_BYTES + " bytes");
        }
        Deque<String> stack = new ArrayDeque<>();
        if (!target.startsWith("/")) {
            String[] parent = linkPath.split("/");
            for (int i = 0; i < parent.length - 1; i++) {
                if (!parent[i].isEmpty()) {
                    stack.addLast(parent[i]);
                }
            }
        }
        for (String p : target.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (stack.isEmpty()) {
                    throw new InputException(what, "symlink " + quote(linkPath) + " -> " + quote(target)
                            + " points outside the root");
                }
                stack.removeLast();
            } else {
                stack.addLast(p);
            }
        }
    }

    /** What is at a path of the tree, as far as resolving names is concerned. */
    public enum Kind { MISSING, DIR, SYMLINK, OTHER }

    /** A tree to resolve names in: on disk ({@link #onDisk}) or an index of entries. */
    public interface Lookup {
        Kind kind(String rel) throws IOException;

        String readLink(String rel) throws IOException;
    }

    /** A tree that missing parent directories can be added to ({@link #ensureDir}). */
    public interface Growable extends Lookup {
        /** Adds the directory {@code rel} (root-owned, 0755); its parent exists and is a directory. */
        void makeDir(String rel) throws IOException;
    }

    public static Lookup onDisk(Path root) {
        return new Lookup() {
            @Override
            public Kind kind(String rel) throws IOException {
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(rel.isEmpty() ? root : root.resolve(rel), BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    return Kind.MISSING;
                }
                return a.isSymbolicLink() ? Kind.SYMLINK : a.isDirectory() ? Kind.DIR : Kind.OTHER;
            }

            @Override
            public String readLink(String rel) throws IOException {
                return Files.readSymbolicLink(root.resolve(rel)).toString();
            }
        };
    }

    /**
     * Resolves the parent directories of {@code rel} inside {@code root}, following symlinks chroot-style,
     * and returns the on-disk path of the final component (not followed). Refuses escapes and loops.
     */
    public static Path resolveParent(Path root, String rel, String what) throws IOException {
        String real = resolveParent(onDisk(root), rel, what);
        return real.isEmpty() ? root : root.resolve(real);
    }

    /** {@link #resolveParent(Path, String, String)} in any tree; returns the path relative to its root. */
    public static String resolveParent(Lookup tree, String rel, String what) throws IOException {
        if (rel.isEmpty()) {
            return rel;
        }
        int slash = rel.lastIndexOf('/');
        String parent = slash < 0 ? "" : rel.substring(0, slash);
        String last = slash < 0 ? rel : rel.substring(slash + 1);
        String resolved = resolveDir(tree, parent, what, new int[]{0});
        String real = resolved.isEmpty() ? last : resolved + "/" + last;
        checkLength(real, what); // a symlink on the way can make it longer than the name
        return real;
    }

    /**
     * Resolves the directory {@code rel} as {@link #resolveParent} resolves parents, adding each missing
     * component as a directory. One pass over the components (a look-up each), not one resolution per
     * prefix: a hostile archive's deep paths cost time linear in their length.
     */
    public static String ensureDir(Growable tree, String rel, String what) throws IOException {
        int[] links = {0};
        String cur = "";
        int from = 0;
        while (from <= rel.length()) {
            int slash = rel.indexOf('/', from);
            int end = slash < 0 ? rel.length() : slash;
            String p = rel.substring(from, end);
            from = end + 1;
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            String candidate = cur.isEmpty() ? p : cur + "/" + p;
            checkLength(candidate, what);
            switch (tree.kind(candidate)) {
                case DIR -> cur = candidate;
                case MISSING -> {
                    tree.makeDir(candidate);
                    cur = candidate;
                }
                // followed from the root, chroot-style; it must end in a directory of the tree
                case SYMLINK -> cur = resolveDir(tree, candidate, what, links);
                default -> throw new InputException(what, "'" + quote(candidate) + "' is not a directory");
            }
        }
        return cur;
    }

    /** Resolves a directory path fully (all components followed chroot-style); returns it relative to root. */
    private static String resolveDir(Lookup tree, String rel, String what, int[] links) throws IOException {
        Deque<String> done = new ArrayDeque<>();
        Deque<String> todo = new ArrayDeque<>();
        String lastLink = null;
        for (String p : rel.split("/")) {
            if (!p.isEmpty()) {
                todo.addLast(p);
            }
        }
        while (!todo.isEmpty()) {
            String p = todo.removeFirst();
            if (p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (done.isEmpty()) {
                    throw new InputException(what, "path resolves outside the root");
                }
                done.removeLast();
                continue;
            }
            String candidate = join(done, p);
            Kind k = tree.kind(candidate);
            if (k == Kind.SYMLINK) {
                if (++links[0] > MAX_LINKS) {
                    throw new InputException(what, "too many levels of symbolic links");
                }
                String target = tree.readLink(candidate);
                lastLink = quote(candidate) + " -> " + quote(target);
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> parts = new ArrayList<>();
                for (String t : target.split("/")) {
                    if (!t.isEmpty()) {
                        parts.add(t);
                    }
                }
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
                continue;
            }
            if (k == Kind.MISSING) {
                // Only a symlink can lead here: the parents of every entry are created before it is placed.
                throw new InputException(what, "'" + quote(candidate) + "' is not a directory in the tree"
                        + (lastLink == null ? "" : " (reached through the symlink " + lastLink + ")"));
            }
            if (k != Kind.DIR) {
                throw new InputException(what, "'" + quote(candidate) + "' is not a directory");
            }
            done.addLast(p);
        }
        return String.join("/", done);
    }

    private static String join(Deque<String> dirs, String last) {
        return dirs.isEmpty() ? last : String.join("/", dirs) + "/" + last;
    }
}
