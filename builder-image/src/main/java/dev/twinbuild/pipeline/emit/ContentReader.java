package dev.twinbuild.pipeline.emit;

import dev.twinbuild.pipeline.tree.TreeEntry;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Copies the contents of an emitter's entries. A whole file is opened, read and closed as before; a slice of
 * a layer (the contents of most entries when the tree was indexed rather than extracted, and of files a step
 * left alone) is read by position from one channel per layer file, kept open for the whole archive: one
 * system call a read instead of open, seek, size, read and close per entry.
 */
final class ContentReader implements Closeable {
    private final byte[] buf;
    private final ByteBuffer bb;
    private final Map<Path, FileChannel> blobs = new HashMap<>();

    ContentReader(int bufferSize) {
        buf = new byte[bufferSize];
        bb = ByteBuffer.wrap(buf);
    }

    /**
     * Writes the content of {@code e} (a regular file with a source) to {@code out}; refuses a file that is not
     * {@code e.size()} bytes long any more.
     */
    void copy(TreeEntry e, OutputStream out) throws IOException {
        long n = e.offset() == TreeEntry.WHOLE_FILE ? copyFile(e, out) : copySlice(e, out);
        if (n != e.size()) {
            throw new IOException(e.path() + " changed while it was archived");
        }
    }

    /** Copies the file in large reads; stops one byte past the size (enough to see that it grew). */
    private long copyFile(TreeEntry e, OutputStream out) throws IOException {
        long size = e.size();
        try (InputStream in = e.openContent()) {
            long total = 0;
            int n;
            while ((n = in.read(buf, 0, (int) Math.min(buf.length, Math.max(1, size - total + 1)))) > 0) {
                total += n;
                if (total > size) {
                    return total;
                }
                out.write(buf, 0, n);
            }
            return total;
        }
    }

    /** Copies {@code e.size()} bytes from {@code e.offset()} of its layer file; fewer if the file is shorter. */
    private long copySlice(TreeEntry e, OutputStream out) throws IOException {
        FileChannel ch = blobs.get(e.source());
        if (ch == null) {
            ch = FileChannel.open(e.source(), StandardOpenOption.READ);
            blobs.put(e.source(), ch);
        }
        long pos = e.offset();
        long left = e.size();
        while (left > 0) {
            bb.clear().limit((int) Math.min(buf.length, left));
            int n = ch.read(bb, pos);
            if (n <= 0) {
                break;
            }
            out.write(buf, 0, n);
            pos += n;
            left -= n;
        }
        return e.size() - left;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileChannel ch : blobs.values()) {
            try {
                ch.close();
            } catch (IOException ex) {
                if (first == null) {
                    first = ex;
                }
            }
        }
        blobs.clear();
        if (first != null) {
            throw first;
        }
    }
}
