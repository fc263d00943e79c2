package dev.twinbuild.pipeline.assemble;

import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.Tree;
import dev.twinbuild.pipeline.tree.SafePaths;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Applies one tar layer (plain, gzip, zstd or bzip2) onto the rootfs with OCI whiteout semantics.
 * Everything in the archive is untrusted: names, links, sizes and types are checked before use.
 */
public final class TarLayerApplier {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";

    private final Tree fs;
    private final ArchiveLimits limits;
    private final boolean allowDevices;

    public TarLayerApplier(Tree fs, ArchiveLimits limits, boolean allowDevices) {
        this.fs = fs;
        this.limits = limits;
        this.allowDevices = allowDevices;
    }

    /** @param layer names the layer in errors, e.g. {@code spec.layers[0]} */
    public void apply(InputStream raw, String layer) throws IOException {
        apply(raw, null, layer);
    }

    /**
     * @param rawFile the file {@code raw} reads from its start, if any: then the contents of an uncompressed
     *                layer are handed to the tree with their place in it ({@link Tree#putFileAt})
     */
    public void apply(InputStream raw, Path rawFile, String layer) throws IOException {
        CountingInputStream compressed = new CountingInputStream(new NoEstimate(raw));
        BufferedInputStream buffered = new BufferedInputStream(compressed, 1 << 16);
        InputStream decompressed = Decompressors.open(buffered, layer);
        // Decompressors hands back the stream it was given when there is nothing to decompress.
        Path positional = decompressed == buffered ? rawFile : null;
        InputStream plain = new LimitedInputStream(decompressed, layer, limits, compressed::count);
        // Names are decoded as UTF-8 explicitly: the platform charset would make them depend on the locale.
        TarArchiveInputStream tar = new TarArchiveInputStream(plain, "UTF-8");
        fs.startArchive();
        long entries = 0;
        long total = 0;
        while (true) {
            TarArchiveEntry e;
            try {
                e = tar.getNextEntry();
            } catch (IOException | IllegalArgumentException ex) {
                throw new InputException(layer, "malformed archive after " + entries + " entries: "
                        + SafePaths.quote(String.valueOf(ex.getMessage())),
                        ex);
            }
            if (e == null) {
                break;
            }
            if (++entries > limits.maxEntries()) {
                throw new InputException(layer, "more than " + limits.maxEntries() + " entries");
            }
            String what = layer + " entry '" + SafePaths.quote(e.getName()) + "'";
            String name = SafePaths.normalise(e.getName(), what);
            if (e.getSize() < 0 || e.getSize() > limits.maxEntryBytes()) {
                throw new InputException(what, "declared size " + e.getSize() + " exceeds the limit of "
                        + limits.maxEntryBytes() + " bytes");
            }
            total += e.getSize();
            if (total > limits.maxTotalBytes()) {
                throw new InputException(what, "archive content exceeds " + limits.maxTotalBytes() + " bytes");
            }
            String base = name.substring(name.lastIndexOf('/') + 1);
            if (base.startsWith(WHITEOUT)) {
                whiteout(name, base, what);
                continue;
            }
            EntryType type = typeOf(e, what);
            EntryType before = fs.seen(name);
            if (before != null && !(before == EntryType.DIR && type == EntryType.DIR)) {
                throw new InputException(what, "duplicate entry in the same archive");
            }
            long mtime = e.getLastModifiedTime().toMillis() / 1000;
            int mode = e.getMode() & 07777;
            long uid = e.getLongUserId();
            long gid = e.getLongGroupId();
            if (name.isEmpty()) {
                if (type != EntryType.DIR) {
                    throw new InputException(what, "the root must be a directory");
                }
                fs.putDir("", mode, uid, gid, mtime);
                fs.added("", "", type);
                continue;
            }
            String real = fs.place(name, what);
            switch (type) {
                case DIR -> fs.putDir(real, mode, uid, gid, mtime);
                case FILE -> {
                    if (positional != null && !e.isSparse()) {
                        // the tar reader has read exactly the headers: its count is where the content starts
                        fs.putFileAt(real, new Guarded(tar, what), e.getSize(), positional, tar.getBytesRead(), mode,
                                uid, gid, mtime);
                    } else {
                        fs.putFile(real, new Guarded(tar, what), e.getSize(), mode, uid, gid, mtime);
                    }
                }
                case SYMLINK -> fs.putSymlink(real, e.getLinkName(), uid, gid, mtime, what);
                case HARDLINK -> {
                    String target = SafePaths.normalise(e.getLinkName(), what + " (hardlink target)");
                    String targetReal = fs.place(target, what + " (hardlink target)");
                    fs.putHardlink(real, targetReal, what);
                }
                default -> {
                    if (!allowDevices && type != EntryType.FIFO) {
                        throw new InputException(what, "device node refused (set spec.allowDevices: true to keep"
                                + " device nodes in the outputs)");
                    }
                    fs.putSpecial(real, type, mode, uid, gid, mtime, e.getDevMajor(), e.getDevMinor());
                }
            }
            fs.added(name, real, type);
        }
        fs.fixDirectoryTimes();
    }

    private void whiteout(String name, String base, String what) throws IOException {
        int slash = name.lastIndexOf('/');
        String parent = slash < 0 ? "" : name.substring(0, slash);
        if (base.equals(OPAQUE)) {
            String realDir = parent.isEmpty() ? "" : fs.place(parent, what);
            fs.clearChildren(realDir);
            return;
        }
        String hidden = base.substring(WHITEOUT.length());
        if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
            throw new InputException(what, "invalid whiteout");
        }
        String target = parent.isEmpty() ? hidden : parent + "/" + hidden;
        String real = fs.place(target, what);
        fs.remove(real);
    }

    /**
     * The tar reader asks for {@code available()} around every entry, which a file stream answers with two
     * system calls (fstat, lseek) and which nothing here needs: 0 is always a valid estimate.
     */
    private static final class NoEstimate extends java.io.FilterInputStream {
        NoEstimate(InputStream in) {
            super(in);
        }

        @Override
        public int available() {
            return 0;
        }
    }

    /** Read errors of the archive are the input's fault; write errors stay I/O errors. */
    private static final class Guarded extends java.io.FilterInputStream {
        private final String what;

        Guarded(InputStream in, String what) {
            super(in);
            this.what = what;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw new InputException(what, "malformed archive: " + SafePaths.quote(String.valueOf(e.getMessage())),
                        e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new InputException(what, "malformed archive: " + SafePaths.quote(String.valueOf(e.getMessage())),
                        e);
            }
        }
    }

    private static EntryType typeOf(TarArchiveEntry e, String what) {
        if (e.isDirectory()) {
            return EntryType.DIR;
        }
        if (e.isSymbolicLink()) {
            return EntryType.SYMLINK;
        }
        if (e.isLink()) {
            return EntryType.HARDLINK;
        }
        if (e.isCharacterDevice()) {
            return EntryType.CHAR_DEVICE;
        }
        if (e.isBlockDevice()) {
            return EntryType.BLOCK_DEVICE;
        }
        if (e.isFIFO()) {
            return EntryType.FIFO;
        }
        if (e.isFile()) {
            return EntryType.FILE;
        }
        throw new InputException(what, "unsupported tar entry type '" + (char) e.getLinkFlag() + "'");
    }
}
