package dev.twinbuild.pipeline.emit.ext4;

import dev.twinbuild.pipeline.tree.EntryType;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.util.List;

/**
 * The {@code debugfs -w -f} commands that make every inode say what the tree says: device nodes created
 * ({@code mknod}), then for each inode its full mode (type bits included), uid, gid, and atime, ctime, mtime,
 * crtime all equal to the entry's mtime with zero nanoseconds ({@code *_extra} cleared first, so that setting
 * a time after 2038 keeps its epoch bits). lost+found, which mkfs makes, gets root:root 0700 and
 * SOURCE_DATE_EPOCH unless the tree has its own.
 */
final class DebugfsScript {
    private static final String[] TIMES = {"atime", "ctime", "mtime", "crtime"};

    private DebugfsScript() {
    }

    static String of(List<TreeEntry> entries, List<TreeEntry> devices, long sourceDateEpoch) {
        StringBuilder s = new StringBuilder(entries.size() * 400);
        for (TreeEntry d : devices) {
            int slash = d.path().lastIndexOf('/');
            s.append("cd ").append(quote("/" + (slash < 0 ? "" : d.path().substring(0, slash)))).append('\n');
            s.append("mknod ").append(quote(d.name())).append(d.type() == EntryType.CHAR_DEVICE ? " c " : " b ")
                    .append(d.devMajor()).append(' ').append(d.devMinor()).append('\n');
        }
        if (!devices.isEmpty()) {
            s.append("cd /\n");
        }
        boolean lostFound = false;
        for (TreeEntry e : entries) {
            if (e.type() == EntryType.HARDLINK) {
                continue; // the same inode as its primary, which comes first
            }
            lostFound |= e.path().equals("lost+found");
            inode(s, "/" + e.path(), typeBits(e.type()) | e.mode(), e.uid(), e.gid(), e.mtime());
        }
        if (!lostFound) {
            inode(s, "/lost+found", 040700, 0, 0, sourceDateEpoch);
        }
        return s.toString();
    }

    private static void inode(StringBuilder s, String path, int mode, long uid, long gid, long time) {
        String q = quote(path);
        s.append("sif ").append(q).append(" mode 0").append(Integer.toOctalString(mode)).append('\n');
        s.append("sif ").append(q).append(" uid ").append(uid).append('\n');
        s.append("sif ").append(q).append(" gid ").append(gid).append('\n');
        for (String t : TIMES) {
            s.append("sif ").append(q).append(' ').append(t).append("_extra 0\n");
        }
        for (String t : TIMES) {
            s.append("sif ").append(q).append(' ').append(t).append(" @").append(time).append('\n');
        }
    }

    /** debugfs (libss) words: double quotes, a quote inside doubled. */
    static String quote(String path) {
        return '"' + path.replace("\"", "\"\"") + '"';
    }

    static int typeBits(EntryType t) {
        return switch (t) {
            case FILE, HARDLINK -> 0100000;
            case DIR -> 040000;
            case SYMLINK -> 0120000;
            case CHAR_DEVICE -> 020000;
            case BLOCK_DEVICE -> 060000;
            case FIFO -> 010000;
        };
    }
}
