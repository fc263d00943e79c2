package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The tree being assembled: contents on disk (so build steps can work on it), plus the metadata an
 * unprivileged process cannot store there. Every write goes through {@link SafePaths}.
 */
public final class Rootfs {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path dir;
    private final long defaultMtime;
    private final TreeMap<String, Meta> meta = new TreeMap<>();

    public Rootfs(Path dir, long defaultMtime) throws IOException {
        this.dir = dir;
        this.defaultMtime = defaultMtime;
        Files.createDirectories(dir);
        setDiskMode(dir, 0755);
        meta.put("", new Meta(EntryType.DIR, 0755, 0755, 0, 0, defaultMtime, null, 0, 0));
    }

    public Path dir() {
        return dir;
    }

    public Map<String, Meta> meta() {
        return meta;
    }

    /** Resolves where {@code rel} lives, creating missing parent directories (root-owned, 0755). */
    public String place(String rel, String what) throws IOException {
        int slash = rel.lastIndexOf('/');
        if (slash > 0) {
            ensureDirs(rel.substring(0, slash), what);
        }
        Path disk = SafePaths.resolveParent(dir, rel, what);
        return dir.relativize(disk).toString();
    }

    private void ensureDirs(String relDir, String what) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String part : relDir.split("/")) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(part);
            Path disk = SafePaths.resolveParent(dir, sb.toString(), what);
            if (!Files.exists(disk, NOFOLLOW)) {
                Files.createDirectory(disk);
                setDiskMode(disk, 0755);
                meta.put(dir.relativize(disk).toString(), new Meta(EntryType.DIR, 0755, 0755, 0, 0,
                        defaultMtime, null, 0, 0));
            }
        }
    }

    public void putFile(String real, InputStream content, long size, int mode, long uid, long gid, long mtime)
            throws IOException {
        Path p = clear(real, false);
        long copied;
        try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            copied = content == null ? 0 : content.transferTo(out);
        }
        if (copied != size) {
            throw new InputException(real, "content is " + copied + " bytes, header says " + size);
        }
        int disk = (mode & 0777) | 0600;
        setDiskMode(p, disk);
        Files.setLastModifiedTime(p, FileTime.fromMillis(mtime * 1000));
        meta.put(real, new Meta(EntryType.FILE, mode & 07777, disk, uid, gid, mtime, null, 0, 0));
    }

    public void putDir(String real, int mode, long uid, long gid, long mtime) throws IOException {
        Path p = dir.resolve(real);
        if (real.isEmpty() || Files.isDirectory(p, NOFOLLOW)) {
            // An existing directory keeps its contents; only its metadata changes.
        } else {
            clear(real, false);
            Files.createDirectory(p);
        }
        int disk = (mode & 0777) | 0700;
        setDiskMode(p, disk);
        meta.put(real, new Meta(EntryType.DIR, mode & 07777, disk, uid, gid, mtime, null, 0, 0));
    }

    public void putSymlink(String real, String target, long uid, long gid, long mtime, String what)
            throws IOException {
        SafePaths.checkSymlinkTarget(real, target, what);
        Path p = clear(real, false);
        Files.createSymbolicLink(p, Path.of(target));
        meta.put(real, new Meta(EntryType.SYMLINK, 0777, 0777, uid, gid, mtime, target, 0, 0));
    }

    public void putHardlink(String real, String targetReal, String what) throws IOException {
        Path target = dir.resolve(targetReal);
        Meta tm = meta.get(targetReal);
        if (!Files.isRegularFile(target, NOFOLLOW) || tm == null || tm.type() != EntryType.FILE) {
            throw new InputException(what, "hardlink target '" + targetReal + "' is not a regular file in the tree");
        }
        Path p = clear(real, false);
        Files.createLink(p, target);
        meta.put(real, tm);
    }

    public void putSpecial(String real, EntryType type, int mode, long uid, long gid, long mtime, int major,
                           int minor) throws IOException {
        Path p = clear(real, false);
        Files.createFile(p);
        setDiskMode(p, 0600);
        Files.setLastModifiedTime(p, FileTime.fromMillis(mtime * 1000));
        meta.put(real, new Meta(type, mode & 07777, 0600, uid, gid, mtime, null, major, minor));
    }

    /** Removes {@code real} and everything below it, on disk and in the metadata. */
    public void remove(String real) throws IOException {
        Path p = dir.resolve(real);
        if (Files.isDirectory(p, NOFOLLOW)) {
            deleteTree(p);
        } else {
            Files.deleteIfExists(p);
        }
        meta.remove(real);
        meta.subMap(real + "/", real + "0").clear();
    }

    /** Removes the children of a directory except those {@code keep} names (an OCI opaque whiteout). */
    public void clearChildren(String realDir, Set<String> keep) throws IOException {
        Path p = dir.resolve(realDir);
        if (!Files.isDirectory(p, NOFOLLOW)) {
            return;
        }
        List<Path> children = new ArrayList<>();
        try (var s = Files.newDirectoryStream(p)) {
            s.forEach(children::add);
        }
        for (Path c : children) {
            String rel = dir.relativize(c).toString();
            if (!keep.contains(rel)) {
                remove(rel);
            }
        }
    }

    /** Restores directory times, which adding children changed, once a layer is complete. */
    public void fixDirectoryTimes() throws IOException {
        NavigableMap<String, Meta> desc = meta.descendingMap();
        for (Map.Entry<String, Meta> e : desc.entrySet()) {
            if (e.getValue().type() == EntryType.DIR) {
                Path p = dir.resolve(e.getKey());
                if (Files.isDirectory(p, NOFOLLOW)) {
                    Files.setLastModifiedTime(p, FileTime.fromMillis(e.getValue().mtime() * 1000));
                }
            }
        }
    }

    private Path clear(String real, boolean keepDir) throws IOException {
        Path p = dir.resolve(real);
        if (Files.exists(p, NOFOLLOW)) {
            if (Files.isDirectory(p, NOFOLLOW) && keepDir) {
                return p;
            }
            remove(real);
        }
        return p;
    }

    static void setDiskMode(Path p, int mode) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) {
                perms.add(all[i]);
            }
        }
        Files.setPosixFilePermissions(p, perms);
    }

    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, NOFOLLOW)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                // A directory without owner write/exec (chmod by a step) could not be emptied otherwise.
                d.toFile().setWritable(true, true);
                d.toFile().setExecutable(true, true);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Files.delete(f);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
