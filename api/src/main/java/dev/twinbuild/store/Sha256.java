package dev.twinbuild.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers; streaming so that multi-GB images never sit in memory. */
public final class Sha256 {
    public static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private Sha256() {
    }

    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] data) {
        return HexFormat.of().formatHex(digest().digest(data));
    }

    public static String hex(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return hex(in).sha256();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Hashes the stream to its end; returns the digest and the number of bytes read. */
    public static Counted hex(InputStream in) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        long size = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            md.update(buf, 0, n);
            size += n;
        }
        return new Counted(HexFormat.of().formatHex(md.digest()), size);
    }

    public record Counted(String sha256, long size) {
    }
}
