package dev.twinbuild.pipeline.fetch;

import dev.twinbuild.pipeline.Failures;
import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream ahead of its consumer on a thread of its own, which also hashes what it reads: the
 * consumer (a tar reader placing entries) and the reading plus SHA-256 of the bytes run side by side on two
 * cores. Hands the bytes on in order, unchanged; the digest is complete once the consumer has seen the end.
 */
final class HashingReadAhead extends InputStream {
    private static final int CHUNK = 1 << 20;
    private static final int QUEUED = 4;
    private static final byte[] END = new byte[0];

    private record Chunk(byte[] data, int length, Throwable failure) {
    }

    private final InputStream source;
    private final MessageDigest md;
    private final long maxBytes;
    private final String field;
    private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(QUEUED);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(QUEUED + 2);
    private final Thread reader;
    private Chunk current;
    private int pos;
    private boolean ended;

    /** Starts reading {@code source}; refuses it (when the consumer gets there) past {@code maxBytes}. */
    HashingReadAhead(InputStream source, MessageDigest md, long maxBytes, String field) {
        this.source = source;
        this.md = md;
        this.maxBytes = maxBytes;
        this.field = field;
        this.reader = new Thread(this::run, "read-hash");
        reader.setDaemon(true);
        reader.start();
    }

    private void run() {
        long total = 0;
        try {
            while (true) {
                byte[] b = free.poll();
                if (b == null) {
                    b = new byte[CHUNK];
                }
                int fill = 0;
                int n;
                while (fill < CHUNK && (n = source.read(b, fill, CHUNK - fill)) > 0) {
                    fill += n;
                }
                if (fill > 0) {
                    total += fill;
                    if (total > maxBytes) {
                        full.put(new Chunk(null, 0, new InputException(field, "input larger than " + maxBytes
                                + " bytes")));
                        return;
                    }
                    md.update(b, 0, fill);
                    full.put(new Chunk(b, fill, null));
                }
                if (fill < CHUNK) {
                    full.put(new Chunk(END, 0, null));
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closed by the consumer: nobody waits for more
        } catch (Throwable t) {
            try {
                full.put(new Chunk(null, 0, t));
            } catch (InterruptedException ignored) {
                // closed by the consumer
            }
        }
    }

    /** The next chunk with bytes left, or null at the end. */
    private Chunk chunk() throws IOException {
        if (ended) {
            return null;
        }
        if (current != null && pos < current.length()) {
            return current;
        }
        if (current != null) {
            free.offer(current.data());
            current = null;
        }
        Chunk c;
        try {
            c = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading " + field);
        }
        if (c.failure() != null) {
            ended = true;
            throw rethrow(c.failure());
        }
        if (c.data() == END) {
            ended = true;
            return null;
        }
        current = c;
        pos = 0;
        return c;
    }

    private static IOException rethrow(Throwable t) {
        return Failures.asIOException(t, t.toString());
    }

    @Override
    public int read() throws IOException {
        Chunk c = chunk();
        return c == null ? -1 : c.data()[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        Chunk c = chunk();
        if (c == null) {
            return -1;
        }
        int n = Math.min(len, c.length() - pos);
        System.arraycopy(c.data(), pos, b, off, n);
        pos += n;
        return n;
    }

    /** Skips without copying (the bytes were hashed when they were read). */
    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            Chunk c = chunk();
            if (c == null) {
                break;
            }
            int k = (int) Math.min(n - skipped, c.length() - pos);
            pos += k;
            skipped += k;
        }
        return skipped;
    }

    /** Reads to the end; afterwards the digest covers every byte of the source. */
    void drain() throws IOException {
        while (chunk() != null) {
            pos = current.length();
        }
    }

    @Override
    public int available() {
        return 0;
    }

    @Override
    public void close() throws IOException {
        ended = true;
        reader.interrupt();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            source.close();
        }
    }
}
