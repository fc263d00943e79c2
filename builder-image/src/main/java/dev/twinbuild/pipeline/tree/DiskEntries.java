package dev.twinbuild.pipeline.tree;

import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;

/**
 * Writes the entries of a {@link Rootfs} to disk, with their mode and time ({@link DiskAttrs}). Each entry is
 * created first ({@code O_EXCL}) and only when something is in the way is that cleared away and the creation
 * repeated: one system call for most entries, not a look before each.
 */
final class DiskEntries {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final int COPY_BUFFER = 256 * 1024;
    private static final Set<StandardOpenOption> CREATE = EnumSet.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);

    /** Removes an entry in the way, and everything below it, from the tree (on disk and in its metadata). */
    interface Remover {
        void remove(String real) throws IOException;
    }

    private final Path dir;
    private final DiskAttrs attrs;
    private final Remover remover;
    private byte[] copyBuffer;

    DiskEntries(Path dir, DiskAttrs attrs, Remover remover) {
        this.dir = dir;
        this.attrs = attrs;
        this.remover = remover;
    }

    /** A regular file holding all of {@code content}, refused unless that is {@code size} bytes. */
    void file(String real, InputStream content, long size, int diskMode, long mtime) throws IOException {
        Path p = dir.resolve(real);
        long copied;
        try (FileChannel out = create(real, p, diskMode)) {
            copied = content == null ? 0 : copy(content, out);
        }
        if (copied != size) {
            throw new InputException(real, "content is " + copied + " bytes, header says " + size);
        }
        if (!attrs.createsExactly(diskMode)) {
            DiskAttrs.setMode(p, diskMode);
        }
        DiskAttrs.setTime(p, mtime);
    }

    /** Creates {@code p} with its mode on disk (O_EXCL), clearing whatever is in the way first. */
    private FileChannel create(String real, Path p, int diskMode) throws IOException {
        return replacing(real, () -> FileChannel.open(p, CREATE, attrs.create(diskMode)));
    }

    /** Something that creates an entry, failing with FileAlreadyExistsException if its name is taken. */
    private interface Creation<T> {
        T create() throws IOException;
    }

    /** Creates the entry {@code real}; if its name is taken, clears that away and creates it again. */
    private <T> T replacing(String real, Creation<T> creation) throws IOException {
        try {
            return creation.create();
        } catch (FileAlreadyExistsException e) {
            clear(real);
            return creation.create();
        }
    }

    /** Copies all of {@code in}, in large writes (one or two for most files). */
    private long copy(InputStream in, FileChannel out) throws IOException {
        if (copyBuffer == null) {
            copyBuffer = new byte[COPY_BUFFER];
        }
        byte[] buf = copyBuffer;
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long total = 0;
        while (true) {
            int fill = 0;
            int n;
            // Fill the buffer before writing: the archive stream hands out at most a record at a time.
            while (fill < buf.length && (n = in.read(buf, fill, buf.length - fill)) > 0) {
                fill += n;
            }
            if (fill == 0) {
                return total;
            }
            bb.clear().limit(fill);
            while (bb.hasRemaining()) {
                out.write(bb);
            }
            total += fill;
            if (fill < buf.length) {
                return total;
            }
        }
    }

    /**
     * A directory (not the root) with {@code diskMode}; an existing one keeps its contents. Returns whether it
     * has that mode already: if not, the caller sets it ({@link #setMode}).
     */
    boolean dir(String real, int diskMode) throws IOException {
        Path p = dir.resolve(real);
        try {
            Files.createDirectory(p, attrs.create(diskMode));
            return attrs.createsExactly(diskMode);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(p, NOFOLLOW)) {
                clear(real);
                Files.createDirectory(p, attrs.create(diskMode));
            }
            // else: an existing directory keeps its contents; only its metadata changes.
            return false;
        }
    }

    /** A missing parent directory, 0755; its place is free (name resolution found nothing there). */
    void parentDir(String rel) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectory(p, attrs.create(0755));
        if (!attrs.createsExactly(0755)) {
            DiskAttrs.setMode(p, 0755);
        }
    }

    void setMode(String real, int diskMode) throws IOException {
        DiskAttrs.setMode(dir.resolve(real), diskMode);
    }

    /** A symlink to {@code target} (checked by the caller). */
    void symlink(String real, String target) throws IOException {
        Path p = dir.resolve(real);
        replacing(real, () -> Files.createSymbolicLink(p, Path.of(target)));
    }

    /** Another name of the regular file {@code target} (checked by the caller). */
    void hardlink(String real, Path target) throws IOException {
        Path p = dir.resolve(real);
        replacing(real, () -> Files.createLink(p, target));
    }

    /** A device, fifo or socket, as an empty file (0600) that only holds its place and time. */
    void special(String real, long mtime) throws IOException {
        Path p = dir.resolve(real);
        replacing(real, () -> Files.createFile(p, attrs.create(0600)));
        if (!attrs.createsExactly(0600)) {
            DiskAttrs.setMode(p, 0600);
        }
        DiskAttrs.setTime(p, mtime);
    }

    private void clear(String real) throws IOException {
        if (Files.exists(dir.resolve(real), NOFOLLOW)) {
            remover.remove(real);
        }
    }
}
