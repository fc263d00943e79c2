package dev.twinbuild.pipeline.tree;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One normalised entry of the final tree, as every output format writes it.
 *
 * @param path     relative path without leading "./" or "/", "" for the root
 * @param source   file holding the content (regular files), null when empty
 * @param linkTarget symlink target, or for HARDLINK the path of the first entry of its group
 * @param offset   where the content starts in {@code source} ({@code size} bytes), or {@link #WHOLE_FILE}
 */
public record TreeEntry(String path, EntryType type, int mode, long uid, long gid, long mtime, long size,
                        String linkTarget, int devMajor, int devMinor, Path source, long offset) {
    /** {@code source} is the content, all of it. */
    public static final long WHOLE_FILE = -1;

    public TreeEntry(String path, EntryType type, int mode, long uid, long gid, long mtime, long size,
                     String linkTarget, int devMajor, int devMinor, Path source) {
        this(path, type, mode, uid, gid, mtime, size, linkTarget, devMajor, devMinor, source, WHOLE_FILE);
    }

    public boolean isRoot() {
        return path.isEmpty();
    }

    public TreeEntry withContent(Path newSource, long newSize) {
        return new TreeEntry(path, type, mode, uid, gid, mtime, newSize, linkTarget, devMajor, devMinor, newSource);
    }

    public TreeEntry withMtime(long newMtime) {
        return new TreeEntry(path, type, mode, uid, gid, newMtime, size, linkTarget, devMajor, devMinor, source,
                offset);
    }

    /**
     * The content: the whole source file, or {@code size} bytes of it from {@code offset} (then the stream
     * ends there, so a reader that checks for growth by reading past {@code size} sees none).
     */
    public InputStream openContent() throws IOException {
        InputStream in = Files.newInputStream(source);
        if (offset == WHOLE_FILE) {
            return in;
        }
        try {
            in.skipNBytes(offset); // a position change on a file channel, no read
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return new Slice(in, size);
    }

    public String name() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    private static final class Slice extends java.io.FilterInputStream {
        private long left;

        Slice(InputStream in, long size) {
            super(in);
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(Math.min(n, left));
            left -= s;
            return s;
        }

        @Override
        public int available() {
            return 0;
        }
    }
}
