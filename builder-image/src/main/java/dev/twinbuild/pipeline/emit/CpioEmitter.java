package dev.twinbuild.pipeline.emit;

import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.TreeEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * cpio "newc", the kernel's initramfs format. Inodes are numbered in path order (like
 * {@code cpio --renumber-inodes}); a hardlinked file's data travels with the last of its names, as the
 * kernel expects.
 */
public final class CpioEmitter implements Emitter {
    @Override
    public void emit(List<TreeEntry> entries, OutputStream out) throws IOException {
        Map<String, Integer> linkCount = new HashMap<>();
        Map<String, Integer> subdirs = new HashMap<>();
        Map<String, TreeEntry> primaries = new HashMap<>();
        for (TreeEntry e : entries) {
            if (e.type() == EntryType.HARDLINK) {
                linkCount.merge(e.linkTarget(), 1, Integer::sum);
            } else if (e.type() == EntryType.DIR && !e.isRoot()) {
                subdirs.merge(parent(e.path()), 1, Integer::sum);
            }
            if (e.type() == EntryType.FILE) {
                primaries.put(e.path(), e);
            }
        }
        Map<String, Long> inodes = new HashMap<>();
        Map<String, Integer> seenLinks = new HashMap<>();
        CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW,
                CpioConstants.BLOCK_SIZE, "UTF-8");
        long nextInode = 1;
        for (TreeEntry e : entries) {
            String group = e.type() == EntryType.HARDLINK ? e.linkTarget() : e.path();
            int extra = linkCount.getOrDefault(group, 0);
            Long inode = inodes.get(group);
            if (inode == null) {
                inode = nextInode++;
                inodes.put(group, inode);
            }
            TreeEntry content = e;
            long size;
            byte[] inline = null;
            if (e.type() == EntryType.SYMLINK) {
                inline = e.linkTarget().getBytes(StandardCharsets.UTF_8);
                size = inline.length;
            } else if (e.type() == EntryType.FILE || e.type() == EntryType.HARDLINK) {
                boolean last = extra == 0 || e.type() == EntryType.HARDLINK
                        && seenLinks.merge(group, 1, Integer::sum) == extra;
                content = e.type() == EntryType.HARDLINK ? primaries.get(group) : e;
                size = last ? content.size() : 0;
            } else {
                size = 0;
            }
            CpioArchiveEntry c = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, e.isRoot() ? "." : e.path(), size);
            c.setMode(typeBits(e.type()) | e.mode());
            c.setUID(e.uid());
            c.setGID(e.gid());
            c.setTime(e.mtime());
            c.setInode(inode);
            c.setDeviceMaj(0);
            c.setDeviceMin(0);
            c.setNumberOfLinks(e.type() == EntryType.DIR ? 2 + subdirs.getOrDefault(e.path(), 0) : 1 + extra);
            if (e.type() == EntryType.CHAR_DEVICE || e.type() == EntryType.BLOCK_DEVICE) {
                c.setRemoteDeviceMaj(e.devMajor());
                c.setRemoteDeviceMin(e.devMinor());
            }
            cpio.putArchiveEntry(c);
            if (inline != null) {
                cpio.write(inline);
            } else if (size > 0) {
                try (InputStream in = content.openContent()) {
                    in.transferTo(cpio);
                }
            }
            cpio.closeArchiveEntry();
        }
        cpio.finish();
        cpio.flush();
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    private static int typeBits(EntryType t) {
        return switch (t) {
            case FILE, HARDLINK -> CpioConstants.C_ISREG;
            case DIR -> CpioConstants.C_ISDIR;
            case SYMLINK -> CpioConstants.C_ISLNK;
            case CHAR_DEVICE -> CpioConstants.C_ISCHR;
            case BLOCK_DEVICE -> CpioConstants.C_ISBLK;
            case FIFO -> CpioConstants.C_ISFIFO;
        };
    }
}
