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
    public static final int MAX_PATH_BYTES = 4096;
    /** NAME_MAX of Linux file systems; tar and cpio readers expect no more either. */
    public static final int MAX_NAME_BYTES = 255;

    private SafePaths() {
    }

    /** "./usr//bin/" becomes "usr/bin"; "" is the root. Refuses '..', absolute names and NUL. */
    public static String normalise(String raw, String what) {
        if (raw.indexOf('\0') >= 0) {
            throw new InputException(what, "NUL byte in name");
        }
        if (raw.length() > MAX_PATH_BYTES) {
            throw new InputException(what, "name longer than " + MAX_PATH_BYTES + " bytes");
        }
        if (raw.startsWith("/")) {
            throw new InputException(what, "absolute path '" + raw + "' in archive is refused");
        }
        List<String> parts = new ArrayList<>();
        for (String p : raw.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                throw new InputException(what, "'..' in path '" + raw + "' is refused");
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

    /**
     * Checks a symlink target lexically from the link's directory: relative targets may not climb above
     * the root. Absolute targets mean the same path inside the root.
     */
    public static void checkSymlinkTarget(String linkPath, String target, String what) {
        if (target.isEmpty() || target.indexOf('\0') >= 0 || target.length() > MAX_PATH_BYTES) {
            throw new InputException(what, "invalid symlink target");
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
                    throw new InputException(what, "symlink " + linkPath + " -> " + target
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
        return resolved.isEmpty() ? last : resolved + "/" + last;
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
                lastLink = candidate + " -> " + target;
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
                throw new InputException(what, "'" + candidate + "' is not a directory in the tree"
                        + (lastLink == null ? "" : " (reached through the symlink " + lastLink + ")"));
            }
            if (k != Kind.DIR) {
                throw new InputException(what, "'" + candidate + "' is not a directory");
            }
            done.addLast(p);
        }
        return String.join("/", done);
    }

    private static String join(Deque<String> dirs, String last) {
        return dirs.isEmpty() ? last : String.join("/", dirs) + "/" + last;
    }
}
