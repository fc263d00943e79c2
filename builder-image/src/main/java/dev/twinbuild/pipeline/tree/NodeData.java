package dev.twinbuild.pipeline.tree;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata of an {@link IndexTree}'s nodes in paged primitive columns indexed by node id, and the contents
 * of its files (shared by the names of a hardlink group) indexed by content id: no object per entry, some 40
 * bytes a file. Values that do not fit an int (owners, times, sizes), symlink targets (in a byte arena) and
 * device numbers are the exceptions kept aside.
 */
final class NodeData {
    private static final EntryType[] TYPES = EntryType.values();
    private static final int WIDE = Integer.MIN_VALUE; // the value is in wide
    private static final int TYPE_SHIFT = 12;
    private static final int SEEN_SHIFT = 16;
    private static final int SEEN_FLAG = 1 << 20;
    private static final int ADDED_FLAG = 1 << 21;

    /** Mode (12 bits), type (ordinal + 1; 0: absent), seen type, and whether the current archive named/added it. */
    private final Columns.Ints meta = new Columns.Ints();
    private final Columns.Ints owner = new Columns.Ints(); // index in owners
    private final Map<Owner, Integer> ownerIds = new HashMap<>();
    private final List<Owner> owners = new ArrayList<>();
    private final Columns.Ints mtime = new Columns.Ints();
    private final Columns.Ints aux = new Columns.Ints(); // FILE: content id; SYMLINK: target offset; devices
    /** Values that do not fit an int: (column << 32 | id) → value. */
    private final Map<Long, Long> wide = new HashMap<>();
    private byte[] targets = new byte[1 << 12];
    private int targetsUsed;
    private int[] devices = new int[16];
    private int devicesUsed;

    private final Columns.Longs contentOffset = new Columns.Longs();
    private final Columns.Ints contentSize = new Columns.Ints();
    /** Contents are added a layer at a time: the blob of content c is that of the last run starting at or before c. */
    private int[] blobRunStart = new int[4];
    private int[] blobRunBlob = new int[4];
    private int blobRuns;
    private final BitSet linked = new BitSet();
    private int contents;
    private boolean flagged;

    private int narrow(int column, int id, long value) {
        long key = (long) column << 32 | id;
        if (value == (int) value && value != WIDE) {
            if (!wide.isEmpty()) {
                wide.remove(key);
            }
            return (int) value;
        }
        wide.put(key, value);
        return WIDE;
    }

    private long widen(int column, int id, int value) {
        return value == WIDE ? wide.get((long) column << 32 | id) : value;
    }

    EntryType type(int id) {
        int t = (meta.get(id) >>> TYPE_SHIFT) & 0xf;
        return t == 0 ? null : TYPES[t - 1];
    }

    void absent(int id) {
        meta.set(id, meta.get(id) & ~(0xf << TYPE_SHIFT));
    }

    int mode(int id) {
        return meta.get(id) & 07777;
    }

    private record Owner(long uid, long gid) {
    }

    long uid(int id) {
        return owners.get(owner.get(id)).uid();
    }

    long gid(int id) {
        return owners.get(owner.get(id)).gid();
    }

    long mtime(int id) {
        return widen(2, id, mtime.get(id));
    }

    /** Forgets which nodes the previous archive named or added: one pass over the nodes, once a layer. */
    void startArchive(int nodes) {
        if (flagged) {
            for (int id = 0; id < nodes; id++) {
                meta.set(id, meta.get(id) & ~(SEEN_FLAG | ADDED_FLAG));
            }
            flagged = false;
        }
    }

    /** The type the current archive's entry that named this node had, or null. */
    EntryType seen(int id) {
        int m = meta.get(id);
        return (m & SEEN_FLAG) != 0 ? TYPES[(m >>> SEEN_SHIFT) & 0xf] : null;
    }

    void stampSeen(int id, EntryType t) {
        flagged = true;
        meta.set(id, meta.get(id) & ~(0xf << SEEN_SHIFT) | SEEN_FLAG | t.ordinal() << SEEN_SHIFT);
    }

    boolean added(int id) {
        return (meta.get(id) & ADDED_FLAG) != 0;
    }

    void stampAdded(int id) {
        flagged = true;
        meta.set(id, meta.get(id) | ADDED_FLAG);
    }

    private void set(int id, EntryType t, int m, long u, long g, long time, int a) {
        int keep = meta.get(id) & ~0xffff; // the archive's flags stay
        meta.set(id, keep | (t.ordinal() + 1) << TYPE_SHIFT | (m & 07777));
        Owner o = new Owner(u, g);
        Integer i = ownerIds.get(o);
        if (i == null) {
            i = owners.size();
            owners.add(o);
            ownerIds.put(o, i);
        }
        owner.set(id, i);
        mtime.set(id, narrow(2, id, time));
        aux.set(id, a);
    }

    void setDir(int id, int m, long u, long g, long time) {
        set(id, EntryType.DIR, m, u, g, time, 0);
    }

    void setFile(int id, int m, long u, long g, long time, int content) {
        set(id, EntryType.FILE, m, u, g, time, content);
    }

    /** {@code id} becomes another name of {@code target}'s file: the same content and metadata. */
    void link(int id, int target) {
        int c = aux.get(target);
        linked.set(c);
        set(id, EntryType.FILE, mode(target), uid(target), gid(target), mtime(target), c);
    }

    void setSymlink(int id, long u, long g, long time, String target) {
        byte[] b = target.getBytes(StandardCharsets.UTF_8);
        if (targetsUsed + 4 + b.length > targets.length) {
            targets = Arrays.copyOf(targets, Math.max(targets.length * 2, targetsUsed + 4 + b.length));
        }
        int off = targetsUsed;
        targets[off] = (byte) (b.length >>> 24);
        targets[off + 1] = (byte) (b.length >>> 16);
        targets[off + 2] = (byte) (b.length >>> 8);
        targets[off + 3] = (byte) b.length;
        System.arraycopy(b, 0, targets, off + 4, b.length);
        targetsUsed += 4 + b.length;
        set(id, EntryType.SYMLINK, 0777, u, g, time, off);
    }

    String linkTarget(int id) {
        int off = aux.get(id);
        int len = (targets[off] & 0xff) << 24 | (targets[off + 1] & 0xff) << 16 | (targets[off + 2] & 0xff) << 8
                | targets[off + 3] & 0xff;
        return new String(targets, off + 4, len, StandardCharsets.UTF_8);
    }

    void setSpecial(int id, EntryType t, int m, long u, long g, long time, int major, int minor) {
        if (devicesUsed + 2 > devices.length) {
            devices = Arrays.copyOf(devices, devices.length * 2);
        }
        devices[devicesUsed] = major;
        devices[devicesUsed + 1] = minor;
        set(id, t, m, u, g, time, devicesUsed);
        devicesUsed += 2;
    }

    int devMajor(int id) {
        return devices[aux.get(id)];
    }

    int devMinor(int id) {
        return devices[aux.get(id) + 1];
    }

    int newContent(int blob, long offset, long size) {
        int c = contents++;
        contentOffset.set(c, offset);
        contentSize.set(c, narrow(3, c, size));
        if (blobRuns == 0 || blobRunBlob[blobRuns - 1] != blob) {
            if (blobRuns == blobRunStart.length) {
                blobRunStart = Arrays.copyOf(blobRunStart, blobRuns * 2);
                blobRunBlob = Arrays.copyOf(blobRunBlob, blobRuns * 2);
            }
            blobRunStart[blobRuns] = c;
            blobRunBlob[blobRuns++] = blob;
        }
        return c;
    }

    int content(int id) {
        return aux.get(id);
    }

    long contentOffset(int c) {
        return contentOffset.get(c);
    }

    long contentSize(int c) {
        return widen(3, c, contentSize.get(c));
    }

    int contentBlob(int c) {
        int i = Arrays.binarySearch(blobRunStart, 0, blobRuns, c);
        return blobRunBlob[i >= 0 ? i : -i - 2];
    }

    boolean linked(int c) {
        return linked.get(c);
    }
}
