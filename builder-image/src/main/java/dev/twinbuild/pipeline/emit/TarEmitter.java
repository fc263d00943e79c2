package dev.twinbuild.pipeline.emit;

import dev.twinbuild.pipeline.Failures;
import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.TreeEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * POSIX tar (ustar, pax headers only where ustar cannot hold a value), named like {@code tar -C root .}:
 * "./", "./etc/", "./etc/hostname". Numeric owners with empty names; no atime or ctime.
 *
 * <p>The archive is framed on the calling thread and handed, in large chunks and in order, to a second
 * thread that writes it to {@code out} (where the digest, the compressor and the file are). Only the
 * chunking changes, and none of those depends on it: the bytes are the same.
 */
public final class TarEmitter implements Emitter {
    private static final int COPY_BUFFER = 256 * 1024;

    @Override
    public void emit(List<TreeEntry> entries, OutputStream out) throws IOException {
        try (Pipe pipe = new Pipe(out)) {
            emitTo(entries, pipe);
        }
    }

    private void emitTo(List<TreeEntry> entries, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        try (ContentReader contents = new ContentReader(COPY_BUFFER)) {
            for (TreeEntry e : entries) {
                TarArchiveEntry t = entry(e);
                tar.putArchiveEntry(t);
                if (e.type() == EntryType.FILE && e.source() != null) {
                    contents.copy(e, tar);
                }
                tar.closeArchiveEntry();
            }
        }
        tar.finish();
        tar.flush();
    }

    /**
     * Collects what the archiver writes (a 512-byte record at a time) into 1 MiB chunks and writes them to
     * {@code out} on its own thread, in order. {@link #flush} does not reach {@code out} (a zstd flush would
     * end a block and change the bytes; the archiver's flush never reached it either), and {@link #close}
     * waits for everything to be written but leaves {@code out} open: the caller owns it.
     */
    static final class Pipe extends OutputStream {
        private static final int CHUNK = 1 << 20;
        private static final int QUEUED = 4;
        private static final byte[] END = new byte[0];

        private final OutputStream out;
        private final BlockingQueue<byte[]> full = new ArrayBlockingQueue<>(QUEUED);
        private final BlockingQueue<Integer> lengths = new ArrayBlockingQueue<>(QUEUED + 1);
        private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(QUEUED + 2);
        private final Thread writer;
        private volatile Throwable failure;
        private byte[] buf = new byte[CHUNK];
        private int count;
        private boolean closed;

        Pipe(OutputStream out) {
            this.out = out;
            this.writer = new Thread(this::drain, "tar-writer");
            writer.setDaemon(true);
            writer.start();
        }

        private void drain() {
            while (true) {
                byte[] chunk;
                int length;
                try {
                    chunk = full.take();
                    length = chunk == END ? 0 : lengths.take();
                } catch (InterruptedException e) {
                    failure = e;
                    return;
                }
                if (chunk == END) {
                    return;
                }
                // After a failure keep taking chunks (and dropping them), so that the producer never blocks.
                if (failure == null) {
                    try {
                        out.write(chunk, 0, length);
                    } catch (Throwable t) {
                        failure = t;
                    }
                }
                free.offer(chunk);
            }
        }

        @Override
        public void write(int b) throws IOException {
            if (count == CHUNK) {
                handOff();
            }
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, CHUNK - count);
                System.arraycopy(b, off, buf, count, n);
                count += n;
                off += n;
                len -= n;
                if (count == CHUNK) {
                    handOff();
                }
            }
        }

        private void handOff() throws IOException {
            check();
            byte[] chunk = buf;
            int length = count;
            byte[] next = free.poll();
            buf = next != null ? next : new byte[CHUNK];
            count = 0;
            try {
                // lengths first: the writer takes a chunk, then its length
                lengths.put(length);
                full.put(chunk);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing the archive");
            }
        }

        private void check() throws IOException {
            Throwable t = failure;
            if (t == null) {
                return;
            }
            throw Failures.asIOException(t, "writing the archive failed");
        }

        @Override
        public void flush() {
            // Nothing to do: see the class comment. close() writes everything.
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (count > 0) {
                    handOff();
                }
            } finally {
                boolean interrupted = false;
                while (true) {
                    try {
                        full.put(END);
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                while (true) {
                    try {
                        writer.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            check();
        }
    }

    static String name(TreeEntry e) {
        if (e.isRoot()) {
            return "./";
        }
        return "./" + e.path() + (e.type() == EntryType.DIR ? "/" : "");
    }

    private static TarArchiveEntry entry(TreeEntry e) {
        TarArchiveEntry t = switch (e.type()) {
            case FILE, DIR -> new TarArchiveEntry(name(e));
            case SYMLINK -> new TarArchiveEntry(name(e), TarConstants.LF_SYMLINK);
            case HARDLINK -> new TarArchiveEntry(name(e), TarConstants.LF_LINK);
            case CHAR_DEVICE -> new TarArchiveEntry(name(e), TarConstants.LF_CHR);
            case BLOCK_DEVICE -> new TarArchiveEntry(name(e), TarConstants.LF_BLK);
            case FIFO -> new TarArchiveEntry(name(e), TarConstants.LF_FIFO);
        };
        if (e.type() == EntryType.SYMLINK) {
            t.setLinkName(e.linkTarget());
        } else if (e.type() == EntryType.HARDLINK) {
            t.setLinkName("./" + e.linkTarget());
        }
        t.setMode(e.mode());
        t.setUserId(e.uid());
        t.setGroupId(e.gid());
        // The String constructor fills in user.name: a build's user must never reach the archive.
        t.setUserName("");
        t.setGroupName("");
        t.setLastModifiedTime(FileTime.from(e.mtime(), TimeUnit.SECONDS));
        t.setSize(e.type() == EntryType.FILE ? e.size() : 0);
        if (e.type() == EntryType.CHAR_DEVICE || e.type() == EntryType.BLOCK_DEVICE) {
            t.setDevMajor(e.devMajor());
            t.setDevMinor(e.devMinor());
        }
        return t;
    }
}
