package dev.twinbuild.testing;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/** Writes tar archives entry by entry, including ones no honest tool would make. */
public final class Tars {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    public Tars() {
        tar = new TarArchiveOutputStream(bytes, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    public Tars dir(String name, int mode) {
        return put(entry(name, TarConstants.LF_DIR, mode), null);
    }

    public Tars dir(String name, int mode, long uid, long gid, long mtime) {
        TarArchiveEntry e = entry(name, TarConstants.LF_DIR, mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setLastModifiedTime(FileTime.from(mtime, TimeUnit.SECONDS));
        return put(e, null);
    }

    public Tars file(String name, String content) {
        return file(name, content, 0644, 0, 0, 1_600_000_000L);
    }

    public Tars file(String name, String content, int mode, long uid, long gid, long mtime) {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setLastModifiedTime(FileTime.from(mtime, TimeUnit.SECONDS));
        return put(e, content.getBytes(StandardCharsets.UTF_8));
    }

    public Tars fileBytes(String name, byte[] content) {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, 0644);
        return put(e, content);
    }

    public Tars symlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, 0777);
        e.setLinkName(target);
        return put(e, null);
    }

    public Tars hardlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK, 0644);
        e.setLinkName(target);
        return put(e, null);
    }

    public Tars device(String name, int major, int minor) {
        TarArchiveEntry e = entry(name, TarConstants.LF_CHR, 0600);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return put(e, null);
    }

    public Tars blockDevice(String name, int major, int minor) {
        TarArchiveEntry e = entry(name, TarConstants.LF_BLK, 0660);
        e.setDevMajor(major);
        e.setDevMinor(minor);
        return put(e, null);
    }

    public Tars fifo(String name, int mode) {
        return put(entry(name, TarConstants.LF_FIFO, mode), null);
    }

    /** An entry whose header claims {@code size} bytes but carries none (the stream ends first). */
    public Tars declaredSize(String name, long size) {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, 0644);
        e.setSize(size);
        try {
            tar.putArchiveEntry(e);
            tar.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    private static TarArchiveEntry entry(String name, byte flag, int mode) {
        // preserveAbsolutePath: keep hostile names exactly as given.
        TarArchiveEntry e = new TarArchiveEntry(name, flag, true);
        e.setMode(mode);
        e.setUserName("");
        e.setGroupName("");
        e.setLastModifiedTime(FileTime.from(1_600_000_000L, TimeUnit.SECONDS));
        return e;
    }

    private Tars put(TarArchiveEntry e, byte[] content) {
        try {
            if (content != null) {
                e.setSize(content.length);
            }
            tar.putArchiveEntry(e);
            if (content != null) {
                tar.write(content);
            }
            tar.closeArchiveEntry();
            return this;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    public byte[] bytes() {
        try {
            tar.finish();
            tar.close();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    /** Only the bytes written so far, without the end-of-archive blocks (a truncated archive). */
    public byte[] truncated() {
        try {
            tar.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
