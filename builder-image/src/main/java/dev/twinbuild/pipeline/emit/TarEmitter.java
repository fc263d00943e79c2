package dev.twinbuild.pipeline.emit;

import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.TreeEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * POSIX tar (ustar, pax headers only where ustar cannot hold a value), named like {@code tar -C root .}:
 * "./", "./etc/", "./etc/hostname". Numeric owners with empty names; no atime or ctime.
 */
public final class TarEmitter implements Emitter {
    @Override
    public void emit(List<TreeEntry> entries, OutputStream out) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        for (TreeEntry e : entries) {
            TarArchiveEntry t = entry(e);
            tar.putArchiveEntry(t);
            if (e.type() == EntryType.FILE && e.source() != null) {
                try (InputStream in = Files.newInputStream(e.source())) {
                    long n = in.transferTo(tar);
                    if (n != e.size()) {
                        throw new IOException(e.path() + " changed while it was archived");
                    }
                }
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
        tar.flush();
    }

    static String name(TreeEntry e) {
        if (e.isRoot()) {
            return "./";
        }
        return "./" + e.path() + (e.type() == EntryType.DIR ? "/" : "");
    }

    private static TarArchiveEntry entry(TreeEntry e) {
        TarArchiveEntry t = switch (e.type()) {
            case FILE, DIR -> new TarArchiveEntry(name(e));
            case SYMLINK -> new TarArchiveEntry(name(e), TarConstants.LF_SYMLINK);
            case HARDLINK -> new TarArchiveEntry(name(e), TarConstants.LF_LINK);
            case CHAR_DEVICE -> new TarArchiveEntry(name(e), TarConstants.LF_CHR);
            case BLOCK_DEVICE -> new TarArchiveEntry(name(e), TarConstants.LF_BLK);
            case FIFO -> new TarArchiveEntry(name(e), TarConstants.LF_FIFO);
        };
        if (e.type() == EntryType.SYMLINK) {
            t.setLinkName(e.linkTarget());
        } else if (e.type() == EntryType.HARDLINK) {
            t.setLinkName("./" + e.linkTarget());
        }
        t.setMode(e.mode());
        t.setUserId(e.uid());
        t.setGroupId(e.gid());
        // The String constructor fills in user.name: a build's user must never reach the archive.
        t.setUserName("");
        t.setGroupName("");
        t.setLastModifiedTime(FileTime.from(e.mtime(), TimeUnit.SECONDS));
        t.setSize(e.type() == EntryType.FILE ? e.size() : 0);
        if (e.type() == EntryType.CHAR_DEVICE || e.type() == EntryType.BLOCK_DEVICE) {
            t.setDevMajor(e.devMajor());
            t.setDevMinor(e.devMinor());
        }
        return t;
    }
}
