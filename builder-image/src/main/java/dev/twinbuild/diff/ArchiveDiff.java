package dev.twinbuild.diff;

import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.assemble.Decompressors;
import dev.twinbuild.pipeline.tree.Rootfs;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares two outputs entry by entry and says for each differing path what differs and how. An entry
 * whose content differs and is itself an archive or a compressed file is opened and compared in turn
 * (a jar in a tar in a gzip), the way diffoscope recurses. squashfs, ext4 and ISO images are unpacked
 * with their own tools and compared the same way.
 */
public final class ArchiveDiff {
    static final int MAX_DEPTH = 4;
    static final long MAX_NESTED_BYTES = 512L << 20;
    static final long MAX_TEXT_BYTES = 1L << 20;

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
        Path scratch = Files.createTempDirectory("twinbuild-diff-");
        try {
            List<EntryDifference> entries = entries(a, b, scratch, 0);
            if (entries == null) {
                return r;
            }
            r.format = "archive";
            r.entries = entries;
            List<String> orderA = names(a);
            List<String> orderB = names(b);
            Set<String> common = new LinkedHashSet<>(orderA);
            common.retainAll(orderB);
            r.orderDiffers = !orderA.stream().filter(common::contains).toList()
                    .equals(orderB.stream().filter(common::contains).toList());
            return r;
        } finally {
            Rootfs.deleteTree(scratch);
            ArchiveReader.cleanUp();
        }
    }

    private static List<String> names(Path archive) throws IOException {
        List<ArchiveEntryInfo> l = ArchiveReader.read(archive);
        return l == null ? List.of() : l.stream().map(ArchiveEntryInfo::name).toList();
    }

    /** @return null when either side is not an archive */
    private static List<EntryDifference> entries(Path a, Path b, Path scratch, int depth) throws IOException {
        List<ArchiveEntryInfo> ea = ArchiveReader.read(a);
        List<ArchiveEntryInfo> eb = ArchiveReader.read(b);
        if (ea == null || eb == null) {
            return null;
        }
        Map<String, String> ra = OciLayout.roles(a, ea, scratch);
        Map<String, String> rb = OciLayout.roles(b, eb, scratch);
        Map<String, ArchiveEntryInfo> ma = byName(ea, ra);
        Map<String, ArchiveEntryInfo> mb = byName(eb, rb);
        TreeSet<String> names = new TreeSet<>(ma.keySet());
        names.addAll(mb.keySet());
        List<EntryDifference> out = new ArrayList<>();
        Set<String> deeper = new LinkedHashSet<>();
        for (String n : names) {
            ArchiveEntryInfo x = ma.get(n);
            ArchiveEntryInfo y = mb.get(n);
            if (x == null || y == null) {
                out.add(new EntryDifference(n, List.of(x == null ? "only-in-b" : "only-in-a"),
                        List.of(x == null ? "missing from a" : "missing from b")));
                continue;
            }
            List<String> kinds = new ArrayList<>();
            List<String> details = new ArrayList<>();
            compare(kinds, details, "type", x.type(), y.type());
            compare(kinds, details, "content", x.sha256(), y.sha256());
            if (kinds.contains("content")) {
                if (x.preview() != null && y.preview() != null) {
                    details.set(details.size() - 1, "content: " + TextDiff.describe(x.preview(), y.preview()));
                } else if (depth < MAX_DEPTH && x.size() <= MAX_NESTED_BYTES && y.size() <= MAX_NESTED_BYTES) {
                    deeper.add(n);
                }
            }
            compare(kinds, details, "size", x.size(), y.size());
            compare(kinds, details, "mode", Integer.toOctalString(x.mode()), Integer.toOctalString(y.mode()));
            compare(kinds, details, "owner", x.uid() + ":" + x.gid() + " " + x.owner(),
                    y.uid() + ":" + y.gid() + " " + y.owner());
            compare(kinds, details, "mtime", x.mtime(), y.mtime());
            compare(kinds, details, "link-target", x.linkTarget(), y.linkTarget());
            if (!ra.isEmpty() && !x.name().equals(y.name())) {
                details.add("blob: " + x.name() + " → " + y.name());
            }
            if (!kinds.isEmpty()) {
                out.add(new EntryDifference(n, kinds, details));
            }
        }
        if (!deeper.isEmpty()) {
            out = inside(a, b, deeper, ma, mb, out, scratch, depth);
        }
        return out;
    }

    /** Opens the differing entries of both sides and compares what is inside them. */
    private static List<EntryDifference> inside(Path a, Path b, Set<String> names, Map<String, ArchiveEntryInfo> ma,
                                                Map<String, ArchiveEntryInfo> mb, List<EntryDifference> diffs,
                                                Path scratch, int depth) throws IOException {
        Path da = Files.createDirectories(scratch.resolve(depth + "a" + System.nanoTime()));
        Path db = Files.createDirectories(scratch.resolve(depth + "b" + System.nanoTime()));
        Set<String> na = new LinkedHashSet<>();
        Set<String> nb = new LinkedHashSet<>();
        names.forEach(n -> {
            na.add(ma.get(n).name());
            nb.add(mb.get(n).name());
        });
        Map<String, Path> xa = ArchiveReader.read(a, na, da).extracted();
        Map<String, Path> xb = ArchiveReader.read(b, nb, db).extracted();
        List<EntryDifference> out = new ArrayList<>();
        for (EntryDifference d : diffs) {
            Path pa = ma.containsKey(d.path()) ? xa.get(ma.get(d.path()).name()) : null;
            Path pb = mb.containsKey(d.path()) ? xb.get(mb.get(d.path()).name()) : null;
            if (pa == null || pb == null || !names.contains(d.path())) {
                out.add(d);
                continue;
            }
            List<EntryDifference> nested = entries(pa, pb, scratch, depth + 1);
            if (nested != null) {
                out.add(d.withNested(nested));
                continue;
            }
            out.add(contentOnly(d, pa, pb, scratch, depth));
        }
        return out;
    }

    /** A compressed file is compared decompressed; a longer text gets a unified diff. */
    private static EntryDifference contentOnly(EntryDifference d, Path a, Path b, Path scratch, int depth)
            throws IOException {
        Path ua = decompressed(a, scratch);
        Path ub = decompressed(b, scratch);
        List<String> details = new ArrayList<>(d.details());
        int at = details.indexOf(details.stream().filter(s -> s.startsWith("content:")).findFirst().orElse(""));
        String why;
        if (ua != null && ub != null) {
            if (Hashes.sha256(ua).equals(Hashes.sha256(ub))) {
                why = "content: the compressed bytes differ but decompress to the same data (compression header:"
                        + " " + GzipHeader.describe(a) + " → " + GzipHeader.describe(b) + ")";
            } else {
                List<EntryDifference> nested = entries(ua, ub, scratch, depth + 1);
                if (nested != null) {
                    return d.withNested(nested);
                }
                why = "content (decompressed): " + textOrBytes(ua, ub);
            }
        } else {
            why = "content: " + textOrBytes(a, b);
        }
        if (at >= 0) {
            details.set(at, why);
        }
        return new EntryDifference(d.path(), d.kinds(), details, d.nested());
    }

    private static String textOrBytes(Path a, Path b) throws IOException {
        if (Files.size(a) <= MAX_TEXT_BYTES && Files.size(b) <= MAX_TEXT_BYTES) {
            String ta = ArchiveReader.text(Files.readAllBytes(a));
            String tb = ArchiveReader.text(Files.readAllBytes(b));
            if (ta != null && tb != null) {
                return TextDiff.describe(ta, tb);
            }
        }
        return "binary, first differing byte at offset " + firstDifference(a, b);
    }

    /** @return the decompressed copy, or null when the file is not gzip, zstd or bzip2 */
    private static Path decompressed(Path file, Path scratch) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            InputStream in = Decompressors.open(raw, file.toString());
            if (in == raw) {
                return null;
            }
            Path out = scratch.resolve("d" + System.nanoTime());
            try (InputStream limited = new BufferedInputStream(in)) {
                Files.copy(new java.io.FilterInputStream(limited) {
                    private long n;

                    @Override
                    public int read(byte[] buf, int off, int len) throws IOException {
                        int r = super.read(buf, off, len);
                        n += Math.max(0, r);
                        if (n > MAX_NESTED_BYTES) {
                            throw new IOException("decompresses to more than " + MAX_NESTED_BYTES + " bytes");
                        }
                        return r;
                    }
                }, out);
            } catch (IOException e) {
                return null;
            }
            return out;
        }
    }

    private static void compare(List<String> kinds, List<String> details, String kind, Object x, Object y) {
        if (!Objects.equals(x, y)) {
            kinds.add(kind);
            details.add(kind + ": " + x + " → " + y);
        }
    }

    /** Entries by name, or by role where one is known (OCI blobs). */
    private static Map<String, ArchiveEntryInfo> byName(List<ArchiveEntryInfo> entries, Map<String, String> roles) {
        Map<String, ArchiveEntryInfo> m = new LinkedHashMap<>();
        for (ArchiveEntryInfo e : entries) {
            m.put(roles.getOrDefault(e.name(), e.name()), e);
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
