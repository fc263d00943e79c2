package dev.twinbuild.pipeline.tree;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Modes and times of what assembly writes to disk, in as few system calls as the JDK allows: files and
 * directories are created with their mode (one chmod less each, unless the process umask would strip a bit
 * of it: the umask never decides a mode on disk), and times are set by path (stat + utimensat, where the
 * attribute view opens, updates and closes the file).
 */
final class DiskAttrs {
    private final int umask;
    private final FileAttribute<?>[] byMode = new FileAttribute<?>[01000];

    /** Learns the umask (Java cannot read it) from a file created in {@code dir} with mode 0777. */
    DiskAttrs(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, ".umask-", null, attribute(0777));
        try {
            umask = ~bits(Files.getPosixFilePermissions(probe)) & 0777;
        } finally {
            Files.delete(probe);
        }
    }

    /** The mode (permission bits) to create an entry with. */
    FileAttribute<?> create(int mode) {
        FileAttribute<?> a = byMode[mode & 0777];
        if (a == null) {
            a = attribute(mode & 0777);
            byMode[mode & 0777] = a;
        }
        return a;
    }

    /** Whether an entry created with {@link #create}{@code (mode)} has that mode already. */
    boolean createsExactly(int mode) {
        return (mode & umask) == 0;
    }

    static void setMode(Path p, int mode) throws IOException {
        Files.setPosixFilePermissions(p, perms(mode));
    }

    /** Sets the modification time of {@code p} (following a symlink, as the attribute view does by default). */
    static void setTime(Path p, long seconds) throws IOException {
        // File.setLastModified refuses times before 1970; when it fails, the view reports why.
        if (seconds < 0 || !new File(p.toString()).setLastModified(seconds * 1000)) {
            FileTime t = FileTime.fromMillis(seconds * 1000);
            Files.getFileAttributeView(p, BasicFileAttributeView.class).setTimes(t, t, null);
        }
    }

    private static FileAttribute<Set<PosixFilePermission>> attribute(int mode) {
        return PosixFilePermissions.asFileAttribute(perms(mode));
    }

    private static Set<PosixFilePermission> perms(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) {
                perms.add(all[i]);
            }
        }
        return perms;
    }

    private static int bits(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= 0400 >> p.ordinal();
        }
        return mode;
    }
}
