package dev.twinbuild.pipeline.emit;

import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Writes the normalised tree into a fresh directory for the tools that read a directory (mkfs.ext4 -d, xorriso):
 * contents copied, hardlinks as real hardlinks, symlinks, FIFOs. Device nodes are not created (that needs root);
 * they are returned for the format to add itself.
 *
 * <p>What is on disk is fixed, whoever runs the build and whatever its umask: directories 0755, everything else
 * 0644 (placeholders that keep the tree readable; each format sets the tree's real modes and owners itself, as a
 * non-root build cannot chown), mtimes and atimes exactly the entries' mtimes, set children first so that
 * creating a child never moves its directory's time. ctime cannot be set from user space: formats must not
 * copy it.
 */
public final class TreeMaterializer {
    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final FileAttribute<Set<PosixFilePermission>> DIR_ATTR = PosixFilePermissions.asFileAttribute(
            DIR_MODE);
    private static final FileAttribute<Set<PosixFilePermission>> FILE_ATTR = PosixFilePermissions.asFileAttribute(
            FILE_MODE);
    private static final int MKFIFO_BATCH = 200;

    /** @param devices character and block devices of the tree, not on disk */
    public record Result(Path root, List<TreeEntry> devices) {
        public Path resolve(TreeEntry e) {
            return e.isRoot() ? root : root.resolve(e.path());
        }
    }

    private TreeMaterializer() {
    }

    public static Result materialize(List<TreeEntry> entries, Path root) throws IOException {
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, DIR_MODE);
        List<TreeEntry> devices = new ArrayList<>();
        List<String> fifos = new ArrayList<>();
        Result result = new Result(root, devices);
        // Created with their mode (one chmod less each) when the umask leaves those modes as they are
        boolean exact = umaskKeeps(root);
        for (TreeEntry e : entries) {
            if (e.isRoot()) {
                continue;
            }
            Path p = result.resolve(e);
            ensureParent(root, p);
            switch (e.type()) {
                case DIR -> {
                    Files.createDirectory(p, DIR_ATTR);
                    if (!exact) {
                        Files.setPosixFilePermissions(p, DIR_MODE);
                    }
                }
                case FILE -> {
                    if (e.source() != null) {
                        copy(e, p);
                    } else {
                        Files.createFile(p, FILE_ATTR);
                    }
                    if (!exact) {
                        Files.setPosixFilePermissions(p, FILE_MODE);
                    }
                }
                case HARDLINK -> Files.createLink(p, root.resolve(e.linkTarget()));
                case SYMLINK -> Files.createSymbolicLink(p, Path.of(e.linkTarget()));
                case FIFO -> fifos.add(e.path());
                case CHAR_DEVICE, BLOCK_DEVICE -> devices.add(e);
            }
        }
        for (int i = 0; i < fifos.size(); i += MKFIFO_BATCH) {
            List<String> cmd = new ArrayList<>(List.of(NativeTool.find("mkfifo", "coreutils").toString(), "-m", "0644",
                    "--"));
            cmd.addAll(fifos.subList(i, Math.min(fifos.size(), i + MKFIFO_BATCH)));
            NativeTool.run("materialise FIFOs", cmd, Map.of(), root);
        }
        // FIFOs first: Java opens a file to set its times, which blocks on a FIFO; touch -h does not open it.
        SortedMap<Long, List<String>> fifoTimes = new TreeMap<>();
        for (TreeEntry e : entries) {
            if (e.type() == EntryType.FIFO) {
                fifoTimes.computeIfAbsent(e.mtime(), t -> new ArrayList<>()).add(e.path());
            }
        }
        for (Map.Entry<Long, List<String>> t : fifoTimes.entrySet()) {
            List<String> paths = t.getValue();
            for (int i = 0; i < paths.size(); i += MKFIFO_BATCH) {
                List<String> cmd = new ArrayList<>(List.of(NativeTool.find("touch", "coreutils").toString(), "-h",
                        "-d", "@" + t.getKey(), "--"));
                cmd.addAll(paths.subList(i, Math.min(paths.size(), i + MKFIFO_BATCH)));
                NativeTool.run("materialise FIFOs", cmd, Map.of(), root);
            }
        }
        for (int i = entries.size() - 1; i >= 0; i--) {
            TreeEntry e = entries.get(i);
            if (e.type() == EntryType.HARDLINK || e.type() == EntryType.CHAR_DEVICE
                    || e.type() == EntryType.BLOCK_DEVICE || e.type() == EntryType.FIFO) {
                continue; // a hardlink shares its primary's inode and time; FIFOs are done
            }
            FileTime t = FileTime.from(e.mtime(), TimeUnit.SECONDS);
            Files.getFileAttributeView(result.resolve(e), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(t, t, null);
        }
        return result;
    }

    /** Whether files and directories created in {@code dir} with 0644 and 0755 get exactly those (the umask's). */
    private static boolean umaskKeeps(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, ".umask-", null,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        try {
            Set<PosixFilePermission> kept = Files.getPosixFilePermissions(probe);
            return kept.containsAll(DIR_MODE) && kept.containsAll(FILE_MODE);
        } finally {
            Files.delete(probe);
        }
    }

    /**
     * The entry's content into a new file, copied by the kernel (sendfile) from where it lies: the whole source
     * file, or {@code size} bytes of it from {@code offset} (a file in a layer, read by position).
     */
    private static void copy(TreeEntry e, Path p) throws IOException {
        try (FileChannel in = FileChannel.open(e.source(), StandardOpenOption.READ);
             FileChannel out = FileChannel.open(p, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                     FILE_ATTR)) {
            boolean whole = e.offset() == TreeEntry.WHOLE_FILE;
            long start = whole ? 0 : e.offset();
            long done = 0;
            while (done < e.size()) {
                long n = in.transferTo(start + done, e.size() - done, out);
                if (n <= 0) {
                    break;
                }
                done += n;
            }
            if (done != e.size() || whole && in.size() != e.size()) {
                throw new IOException(e.path() + " changed while it was materialised");
            }
        }
    }

    /** Entries come sorted, parents first (the normalised tree always lists every directory). */
    private static void ensureParent(Path root, Path p) throws IOException {
        Path parent = p.getParent();
        if (!parent.equals(root) && !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(root.relativize(p) + ": its directory is not in the tree before it");
        }
    }
}
