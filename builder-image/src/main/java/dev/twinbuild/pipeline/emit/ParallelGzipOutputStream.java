package dev.twinbuild.pipeline.emit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip in independent blocks, the pigz way: each block is deflated with the previous 32 KiB as its
 * dictionary and ends on a sync flush. Blocks depend only on the input, so the bytes are the same for
 * any number of threads. The header carries no name and no time, like {@code gzip -n}.
 */
public final class ParallelGzipOutputStream extends OutputStream {
    static final int BLOCK = 128 * 1024;
    private static final int DICT = 32 * 1024;

    private final OutputStream out;
    private final int level;
    private final ExecutorService pool;
    private final int maxPending;
    private final Deque<Future<byte[]>> pending = new ArrayDeque<>();
    private final CRC32 crc = new CRC32();
    private byte[] block = new byte[BLOCK];
    private int fill;
    private byte[] dictionary;
    private long total;
    private boolean closed;

    public ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
        this.out = out;
        this.level = level;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "gzip-block");
            t.setDaemon(true);
            return t;
        }) : null;
        this.maxPending = Math.max(2, threads * 2);
        out.write(new byte[]{0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3});
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        crc.update(b, off, len);
        total += len;
        while (len > 0) {
            int n = Math.min(len, BLOCK - fill);
            System.arraycopy(b, off, block, fill, n);
            fill += n;
            off += n;
            len -= n;
            if (fill == BLOCK) {
                submit(false);
            }
        }
    }

    private void submit(boolean last) throws IOException {
        byte[] data = block;
        int length = fill;
        byte[] dict = dictionary;
        dictionary = Arrays.copyOfRange(data, Math.max(0, length - DICT), length);
        block = new byte[BLOCK];
        fill = 0;
        if (pool == null) {
            out.write(deflate(data, length, dict, last, level));
            return;
        }
        pending.add(pool.submit(() -> deflate(data, length, dict, last, level)));
        while (pending.size() >= maxPending) {
            drainOne();
        }
    }

    private void drainOne() throws IOException {
        try {
            out.write(pending.removeFirst().get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException("compression failed", e.getCause());
        }
    }

    static byte[] deflate(byte[] data, int length, byte[] dict, boolean last, int level) {
        Deflater d = new Deflater(level, true);
        try {
            if (dict != null) {
                d.setDictionary(dict);
            }
            d.setInput(data, 0, length);
            ByteArrayOutputStream bos = new ByteArrayOutputStream(length / 2 + 64);
            byte[] buf = new byte[64 * 1024];
            if (last) {
                d.finish();
                while (!d.finished()) {
                    bos.write(buf, 0, d.deflate(buf));
                }
            } else {
                int n;
                do {
                    n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                    bos.write(buf, 0, n);
                } while (n == buf.length || !d.needsInput());
            }
            return bos.toByteArray();
        } finally {
            d.end();
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            submit(true);
            while (!pending.isEmpty()) {
                drainOne();
            }
            long c = crc.getValue();
            out.write(new byte[]{(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
                    (byte) total, (byte) (total >> 8), (byte) (total >> 16), (byte) (total >> 24)});
            out.close();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }
}
