package dev.twinbuild.diff;

import dev.twinbuild.pipeline.Hashes;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/** Compares two outputs entry by entry, and says for each differing path what differs and how. */
public final class ArchiveDiff {
    private ArchiveDiff() {
    }

    public static DiffReport diff(Path a, Path b) throws IOException {
        DiffReport r = new DiffReport();
        r.a = a.toString();
        r.b = b.toString();
        r.shaA = Hashes.sha256(a);
        r.shaB = Hashes.sha256(b);
        r.identical = r.shaA.equals(r.shaB);
        if (r.identical) {
            return r;
        }
        r.firstDifferingByte = firstDifference(a, b);
        List<ArchiveEntryInfo> ea = ArchiveReader.read(a);
        List<ArchiveEntryInfo> eb = ArchiveReader.read(b);
        if (ea == null || eb == null) {
            return r;
        }
        r.format = "archive";
        Map<String, ArchiveEntryInfo> ma = byName(ea);
        Map<String, ArchiveEntryInfo> mb = byName(eb);
        TreeSet<String> names = new TreeSet<>(ma.keySet());
        names.addAll(mb.keySet());
        for (String n : names) {
            ArchiveEntryInfo x = ma.get(n);
            ArchiveEntryInfo y = mb.get(n);
            if (x == null || y == null) {
                r.entries.add(new EntryDifference(n, List.of(x == null ? "only-in-b" : "only-in-a"),
                        List.of((x == null ? "missing from " + r.a : "missing from " + r.b))));
                continue;
            }
            List<String> kinds = new ArrayList<>();
            List<String> details = new ArrayList<>();
            compare(kinds, details, "type", x.type(), y.type());
            compare(kinds, details, "content", x.sha256(), y.sha256());
            if (kinds.contains("content") && x.preview() != null && y.preview() != null) {
                details.set(details.size() - 1, "content: " + TextDiff.firstDifference(x.preview(), y.preview()));
            }
            compare(kinds, details, "size", x.size(), y.size());
            compare(kinds, details, "mode", Integer.toOctalString(x.mode()), Integer.toOctalString(y.mode()));
            compare(kinds, details, "owner", x.uid() + ":" + x.gid() + " " + x.owner(),
                    y.uid() + ":" + y.gid() + " " + y.owner());
            compare(kinds, details, "mtime", x.mtime(), y.mtime());
            compare(kinds, details, "link-target", x.linkTarget(), y.linkTarget());
            if (!kinds.isEmpty()) {
                r.entries.add(new EntryDifference(n, kinds, details));
            }
        }
        List<String> orderA = ea.stream().map(ArchiveEntryInfo::name).filter(mb::containsKey).toList();
        List<String> orderB = eb.stream().map(ArchiveEntryInfo::name).filter(ma::containsKey).toList();
        r.orderDiffers = !orderA.equals(orderB);
        return r;
    }

    private static void compare(List<String> kinds, List<String> details, String kind, Object x, Object y) {
        if (!Objects.equals(x, y)) {
            kinds.add(kind);
            details.add(kind + ": " + x + " → " + y);
        }
    }

    private static Map<String, ArchiveEntryInfo> byName(List<ArchiveEntryInfo> entries) {
        Map<String, ArchiveEntryInfo> m = new LinkedHashMap<>();
        for (ArchiveEntryInfo e : entries) {
            m.put(e.name(), e);
        }
        return m;
    }

    static long firstDifference(Path a, Path b) throws IOException {
        try (InputStream x = new BufferedInputStream(Files.newInputStream(a), 1 << 16);
             InputStream y = new BufferedInputStream(Files.newInputStream(b), 1 << 16)) {
            long pos = 0;
            while (true) {
                int p = x.read();
                int q = y.read();
                if (p != q) {
                    return pos;
                }
                if (p < 0) {
                    return -1;
                }
                pos++;
            }
        }
    }
}
