package dev.twinbuild.pipeline.fetch;

import dev.twinbuild.pipeline.InputException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A pinned input read once, where it lies: hashed as it is consumed (read ahead and hashed on a thread of its
 * own, {@link HashingReadAhead}), and checked against its pin when the consumer is done ({@link #verifying}).
 * Whatever the consumer built from it counts only once the check has passed; nothing leaves the build before
 * then. Content already verified in the cache is not hashed again.
 */
public final class PinnedStream extends FilterInputStream {
    /** What reads the stream; it may stop before the end (a tar's trailing zero blocks). */
    @FunctionalInterface
    public interface Consumer {
        void consume() throws IOException;
    }

    private final Path file;
    private final MessageDigest md;
    private final String sha256;
    private final String field;

    PinnedStream(Path file, MessageDigest md, String sha256, String field, long maxBytes) throws IOException {
        super(md == null ? Files.newInputStream(file)
                : new HashingReadAhead(Files.newInputStream(file), md, maxBytes, field));
        this.file = file;
        this.md = md;
        this.sha256 = sha256;
        this.field = field;
    }

    static PinnedStream verified(Path file) throws IOException {
        return new PinnedStream(file, null, null, null, Long.MAX_VALUE);
    }

    /** The file read, from its start: its contents may be read again by position once the pin is checked. */
    public Path file() {
        return file;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
    }

    @Override
    public long skip(long n) throws IOException {
        return in.skip(n); // skipped bytes are hashed too: the read-ahead hashes all it reads
    }

    @Override
    public int available() {
        return 0;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /**
     * Runs {@code consumer}, then reads what it left and checks the pin. A mismatch is reported before any
     * error of the consumer: content that is not the pinned one explains whatever it did wrong.
     */
    public void verifying(Consumer consumer) throws IOException {
        try {
            consumer.consume();
        } catch (IOException | RuntimeException e) {
            try {
                verify();
            } catch (InputException mismatch) {
                mismatch.addSuppressed(e);
                throw mismatch;
            } catch (IOException | RuntimeException ignored) {
                // the consumer's error says more
            }
            throw e;
        }
        verify();
    }

    private void verify() throws IOException {
        if (md == null) {
            return;
        }
        ((HashingReadAhead) in).drain();
        String got = HexFormat.of().formatHex(md.digest());
        if (!got.equals(sha256)) {
            throw new InputException(field + ".sha256", "sha256 mismatch: expected " + sha256 + ", got " + got);
        }
    }
}
