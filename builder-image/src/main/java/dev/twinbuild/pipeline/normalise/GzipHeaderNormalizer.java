package dev.twinbuild.pipeline.normalise;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Rewrites a gzip member header without file name, comment and time (as `gzip -n` would have written
 * it), copying the compressed data untouched — the strip-nondeterminism approach.
 */
final class GzipHeaderNormalizer implements ContentNormalizer {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    @Override
    public boolean normalize(Path file, OutputStream out) throws IOException {
        try (InputStream in = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(file))) {
            return normalize(in, out);
        }
    }

    private boolean normalize(InputStream in, OutputStream out) throws IOException {
        byte[] h = in.readNBytes(10);
        if (h.length < 10 || (h[0] & 0xff) != 0x1f || (h[1] & 0xff) != 0x8b || h[2] != 8) {
            return false;
        }
        int flg = h[3] & 0xff;
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        if ((flg & FEXTRA) != 0) {
            byte[] len = in.readNBytes(2);
            int n = (len[0] & 0xff) | (len[1] & 0xff) << 8;
            extra.write(len);
            extra.write(in.readNBytes(n));
        }
        if ((flg & FNAME) != 0) {
            skipZeroTerminated(in);
        }
        if ((flg & FCOMMENT) != 0) {
            skipZeroTerminated(in);
        }
        if ((flg & FHCRC) != 0) {
            in.readNBytes(2);
        }
        out.write(new byte[]{0x1f, (byte) 0x8b, 8, (byte) (flg & FEXTRA), 0, 0, 0, 0, h[8], 3});
        extra.writeTo(out);
        in.transferTo(out);
        return true;
    }

    private static void skipZeroTerminated(InputStream in) throws IOException {
        int b;
        do {
            b = in.read();
        } while (b > 0);
    }
}
