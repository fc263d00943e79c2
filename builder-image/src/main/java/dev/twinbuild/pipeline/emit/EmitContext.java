package dev.twinbuild.pipeline.emit;

import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.tree.Rootfs;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the filesystem and image formats need besides the tree: the build's fixed time, scratch space,
 * threads, and the tree's identity that UUIDs and seeds are derived from (the SHA-256 of the tree as our tar
 * writes it: the same content gives the same UUID, however it was assembled). It materialises the tree on disk
 * at most once per build (shared by ext4 and iso) and removes its scratch space when closed.
 */
public final class EmitContext implements AutoCloseable {
    private final long sourceDateEpoch;
    private final String imageName;
    private final Path workDir;
    private final int threads;
    private List<TreeEntry> materializedEntries;
    private TreeMaterializer.Result materialized;
    private List<TreeEntry> digestedEntries;
    private String treeSha256;
    private final Map<String, Long> timings = new LinkedHashMap<>();
    /** The tree on disk and the tree's digest are made by different threads at the same time: a lock each. */
    private final Object materializeLock = new Object();
    private final Object digestLock = new Object();

    /**
     * @param sourceDateEpoch every time the formats write themselves (mkfs time, volume dates, created)
     * @param imageName       default labels
     * @param workDir         private scratch space, deleted on close
     * @param threads         worker threads (compression); never changes the bytes
     */
    public EmitContext(long sourceDateEpoch, String imageName, Path workDir, int threads) {
        this.sourceDateEpoch = sourceDateEpoch;
        this.imageName = imageName;
        this.workDir = workDir;
        this.threads = Math.max(1, threads);
    }

    public long sourceDateEpoch() {
        return sourceDateEpoch;
    }

    public String imageName() {
        return imageName;
    }

    public int threads() {
        return threads;
    }

    /** Something the outputs do whose wall clock can be measured: see {@link #timed}. */
    public interface Work<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code work} and adds its wall clock to {@code name} in {@link #timings()} (the benchmark's per-output
     * breakdown, printed with TWINBUILD_TIMINGS=1). Nothing measured here reaches an output.
     */
    public <T> T timed(String name, Work<T> work) throws IOException {
        long start = System.nanoTime();
        synchronized (timings) {
            timings.putIfAbsent(name, 0L);
        }
        try {
            return work.run();
        } finally {
            long took = System.nanoTime() - start;
            synchronized (timings) {
                timings.merge(name, took, Long::sum);
            }
        }
    }

    /**
     * Wall clock in nanoseconds per output and per part of an output, in the order they started; then, with
     * TWINBUILD_TIMINGS=1, the CPU time of each native tool ("cpu:" and what it made).
     */
    public Map<String, Long> timings() {
        Map<String, Long> all;
        synchronized (timings) {
            all = new LinkedHashMap<>(timings);
        }
        NativeTool.cpuNanos().forEach((what, nanos) -> all.put("cpu:" + what.replace(' ', '-'), nanos));
        return all;
    }

    /** An empty private directory below the work directory. */
    public Path scratch(String name) throws IOException {
        Path p = workDir.resolve(name);
        Rootfs.deleteTree(p);
        Files.createDirectories(p);
        return p;
    }

    /** The tree on disk (see {@link TreeMaterializer}), made on first use and shared by later outputs. */
    public TreeMaterializer.Result materialized(List<TreeEntry> entries) throws IOException {
        synchronized (materializeLock) {
            return materializedLocked(entries);
        }
    }

    private TreeMaterializer.Result materializedLocked(List<TreeEntry> entries) throws IOException {
        if (materialized == null || materializedEntries != entries) {
            Path dir = workDir.resolve("tree");
            materialized = timed("materialise", () -> {
                Rootfs.deleteTree(dir);
                Files.createDirectories(workDir);
                return TreeMaterializer.materialize(entries, dir);
            });
            materializedEntries = entries;
        }
        return materialized;
    }

    /**
     * SHA-256 of the tree as {@link TarEmitter} writes it (the bytes of a tar output of the same tree), computed
     * once per build.
     */
    public String treeSha256(List<TreeEntry> entries) throws IOException {
        synchronized (digestLock) {
            return treeSha256Locked(entries);
        }
    }

    private String treeSha256Locked(List<TreeEntry> entries) throws IOException {
        if (treeSha256 == null || digestedEntries != entries) {
            treeSha256 = timed("tree-sha256", () -> {
                MessageDigest md = Hashes.sha256();
                try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
                    new TarEmitter().emit(entries, out);
                }
                return HexFormat.of().formatHex(md.digest());
            });
            digestedEntries = entries;
        }
        return treeSha256;
    }

    /** The tree's SHA-256 as {@link #treeSha256} would compute it, taken by a pass that wrote that tar anyway. */
    void treeSha256Known(List<TreeEntry> entries, String sha256) {
        synchronized (digestLock) {
            treeSha256 = sha256;
            digestedEntries = entries;
        }
    }

    /**
     * A UUID (RFC 4122 layout, version 4 bits) derived from the tree's SHA-256, a purpose and the output's file:
     * the same tree always gets the same one, different outputs and purposes different ones.
     */
    public String derivedUuid(List<TreeEntry> entries, String purpose, String file) throws IOException {
        return uuidFrom("twinbuild\0" + purpose + "\0" + treeSha256(entries) + "\0" + file);
    }

    public static String uuidFrom(String seed) {
        byte[] b = Hashes.sha256().digest(seed.getBytes(StandardCharsets.UTF_8));
        b[6] = (byte) ((b[6] & 0x0f) | 0x40);
        b[8] = (byte) ((b[8] & 0x3f) | 0x80);
        String h = HexFormat.of().formatHex(b, 0, 16);
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                + "-" + h.substring(20, 32);
    }

    @Override
    public void close() throws IOException {
        materialized = null;
        materializedEntries = null;
        Rootfs.deleteTree(workDir);
    }
}
