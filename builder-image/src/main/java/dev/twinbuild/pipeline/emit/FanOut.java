package dev.twinbuild.pipeline.emit;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One stream of bytes (the tree as {@link TarEmitter} writes it), written once and read by several consumers, each
 * on its own thread and at its own pace, through a {@link Reader} each: the same bytes, in the same order, for
 * every reader; a reader may start later in the stream ({@code skip}). A SHA-256 of the whole stream can be taken
 * on the way.
 *
 * <p>Each reader holds at most {@link #DEPTH} chunks: the writer waits for the slowest reader, so memory stays
 * bounded. A reader that is closed before the end (its consumer failed) is dropped and never blocks the writer. If
 * the writer fails, readers see the failure (an IOException), never a stream that merely ends early: a consumer
 * cannot take a truncated tree for a whole one.
 */
final class FanOut extends OutputStream {
    static final int DEPTH = 8;
    private static final Chunk END = new Chunk(new byte[0], 0);

    private record Chunk(byte[] bytes, int length) {
    }

    private final List<Reader> readers = new ArrayList<>();
    private final MessageDigest digest;
    private long position;
    private boolean closed;

    /** @param digest updated with every byte written, or null */
    FanOut(MessageDigest digest) {
        this.digest = digest;
    }

    /** A reader of the stream from byte {@code skip} on; all readers must be made before the first write. */
    synchronized Reader reader(long skip) {
        if (position > 0 || closed) {
            throw new IllegalStateException("readers come first");
        }
        Reader r = new Reader(skip);
        readers.add(r);
        return r;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return;
        }
        if (digest != null) {
            digest.update(b, off, len);
        }
        long start = position;
        position += len;
        byte[] copy = null; // one copy shared by every reader: chunks are never changed after this
        for (Reader r : readers) {
            long from = Math.max(r.skip, start);
            if (from >= position) {
                continue;
            }
            if (copy == null) {
                copy = Arrays.copyOfRange(b, off, off + len);
            }
            int at = (int) (from - start);
            r.put(at == 0 ? new Chunk(copy, len) : new Chunk(Arrays.copyOfRange(copy, at, len), len - at));
        }
    }

    /** The end of the stream: every reader sees it after the bytes written so far. */
    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            for (Reader r : readers) {
                r.put(END);
            }
        }
    }

    /** The writer failed: every reader fails with {@code cause} instead of seeing an end. */
    synchronized void fail(Throwable cause) {
        closed = true;
        for (Reader r : readers) {
            r.failure = cause;
            try {
                r.put(END);
            } catch (IOException e) {
                // only if interrupted: the reader sees the failure at its next read anyway
            }
        }
    }

    /** One consumer's view of the stream. Close it when done, or when giving up (then it is dropped). */
    static final class Reader extends InputStream {
        private final long skip;
        private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(DEPTH);
        private volatile boolean abandoned;
        private volatile Throwable failure;
        private Chunk current;
        private int pos;
        private boolean ended;

        private Reader(long skip) {
            this.skip = skip;
        }

        private void put(Chunk c) throws IOException {
            if (abandoned) {
                return;
            }
            try {
                queue.put(c);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while handing the tree to its outputs");
            }
            if (abandoned) {
                queue.clear(); // the reader left while this chunk was on its way
            }
        }

        /** The next chunk's bytes as they are (no copy), or null at the end; for writing on in whole chunks. */
        private Chunk next() throws IOException {
            if (current != null && pos < current.length) {
                return current;
            }
            if (ended) {
                return null;
            }
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the tree");
            }
            pos = 0;
            if (current == END) {
                ended = true;
                current = null;
                if (failure != null) {
                    throw new IOException("the tree could not be written out: " + failure.getMessage(), failure);
                }
                return null;
            }
            return current;
        }

        @Override
        public int read() throws IOException {
            Chunk c = next();
            if (c == null) {
                return -1;
            }
            return c.bytes[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            Chunk c = next();
            if (c == null) {
                return -1;
            }
            int n = Math.min(len, c.length - pos);
            System.arraycopy(c.bytes, pos, b, off, n);
            pos += n;
            return n;
        }

        /** Writes the rest of the stream to {@code out} in whole chunks; returns the byte count. */
        @Override
        public long transferTo(OutputStream out) throws IOException {
            long total = 0;
            Chunk c;
            while ((c = next()) != null) {
                int n = c.length - pos;
                out.write(c.bytes, pos, n);
                pos = c.length;
                total += n;
            }
            return total;
        }

        @Override
        public void close() {
            abandoned = true;
            queue.clear();
        }
    }
}
