package dev.twinbuild.pipeline.assemble;

import dev.twinbuild.pipeline.InputException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongSupplier;

/** Counts decompressed bytes and stops a decompression bomb before it fills the disk. */
final class LimitedInputStream extends FilterInputStream {
    private final String what;
    private final ArchiveLimits limits;
    private final LongSupplier compressedBytes;
    private long count;

    LimitedInputStream(InputStream in, String what, ArchiveLimits limits, LongSupplier compressedBytes) {
        super(in);
        this.what = what;
        this.limits = limits;
        this.compressedBytes = compressedBytes;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            add(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            add(n);
        }
        return n;
    }

    private void add(long n) {
        count += n;
        if (count > limits.maxTotalBytes()) {
            throw new InputException(what, "decompresses to more than " + limits.maxTotalBytes()
                    + " bytes: refused as a decompression bomb");
        }
        if (count > limits.ratioGraceBytes()) {
            long compressed = Math.max(1, compressedBytes.getAsLong());
            if (count / compressed > limits.maxRatio()) {
                throw new InputException(what, "compression ratio above " + limits.maxRatio()
                        + ":1: refused as a decompression bomb");
            }
        }
    }
}
