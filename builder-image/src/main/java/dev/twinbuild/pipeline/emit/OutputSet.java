package dev.twinbuild.pipeline.emit;

import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.api.v1alpha1.OutputFormat;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.emit.squashfs.SquashfsWriter;
import dev.twinbuild.pipeline.tree.TreeEntry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * Every output of a build, written with as few passes over the tree as the formats allow, and what can run at the
 * same time running at the same time. None of this changes a byte: each output is written exactly as
 * {@link Outputs#write} writes it alone.
 *
 * <ul>
 *   <li>One tar pass: tar, tar.gz, tar.zst and squashfs (mksquashfs reads our tar) all read the tree as
 *       {@link TarEmitter} writes it, so it is written once and fanned out ({@link FanOut}) to each of them, each on
 *       its own thread (one reader of the contents instead of one per output). The SHA-256 of that stream is the
 *       tree's identity ({@link EmitContext#treeSha256}); when nothing needs it sooner, it is taken on the way.</li>
 *   <li>The formats that need the tree on disk (ext4, iso) share one copy of it ({@link EmitContext#materialized});
 *       with more than one thread it is written while the tar pass runs, and those outputs follow on that second
 *       thread. ext4 derives its UUID from the tree's identity, which that thread then takes first, in a pass of
 *       its own: mkfs.ext4 and debugfs are the longest chain of a build, so they must not wait for the tar pass
 *       (whose pace is mksquashfs's), and mksquashfs then runs at a lower priority, leaving them the cores
 *       first. With one thread everything runs in turn and the tar pass takes the identity on the way.</li>
 *   <li>The other formats (cpio.gz, oci, kernel+initrd) are written after the tar pass, one after another.</li>
 * </ul>
 */
public final class OutputSet {
    private OutputSet() {
    }

    /** @return the artifacts of every output, in the order of {@code outputs} */
    public static List<OutputArtifact> write(List<Output> outputs, String imageName, List<TreeEntry> entries,
                                             Path outDir, EmitContext ctx) throws IOException {
        int n = outputs.size();
        List<List<OutputArtifact>> results = Collections.synchronizedList(new ArrayList<>(Collections.nCopies(n,
                null)));
        List<Integer> fed = new ArrayList<>();
        List<Integer> onDisk = new ArrayList<>();
        List<Integer> others = new ArrayList<>();
        boolean identity = false;
        for (int i = 0; i < n; i++) {
            Output o = outputs.get(i);
            switch (o.format) {
                case TAR, TAR_GZ, TAR_ZST, SQUASHFS -> fed.add(i);
                case EXT4, ISO -> onDisk.add(i);
                default -> others.add(i);
            }
            identity |= o.format == OutputFormat.EXT4 && o.uuid == null;
        }
        // With a second thread the disk outputs start at once, and ext4 takes the tree's identity first (a pass of
        // its own, a few seconds): waiting for it from the tar pass would hold mkfs back until mksquashfs is done.
        boolean concurrent = !onDisk.isEmpty() && ctx.threads() > 1;
        boolean passDigest = identity && !concurrent;
        boolean shared = fed.size() + (passDigest ? 1 : 0) >= 2 && !entries.isEmpty() && entries.get(0).isRoot();
        Failures failures = new Failures();
        boolean digestFirst = identity && concurrent;
        Runnable diskOutputs = () -> {
            try {
                if (digestFirst) {
                    // the identity on a thread of its own while the tree is written to disk: mkfs needs both
                    Thread digest = new Thread(() -> {
                        try {
                            ctx.treeSha256(entries);
                        } catch (Throwable t) {
                            failures.add(2, t);
                        }
                    }, "tree-sha256");
                    digest.setDaemon(true);
                    digest.start();
                    try {
                        ctx.materialized(entries);
                    } finally {
                        joinUninterruptibly(digest);
                    }
                } else {
                    ctx.materialized(entries);
                }
                if (!failures.none()) {
                    return;
                }
                for (int i : onDisk) {
                    Output o = outputs.get(i);
                    results.set(i, Outputs.write(o, field(i), o.fileNames(imageName), entries, outDir, ctx));
                }
            } catch (Throwable t) {
                failures.add(2, t);
            }
        };
        Thread second = null;
        if (concurrent) {
            second = new Thread(diskOutputs, "outputs-on-disk");
            second.setDaemon(true);
            second.start();
        }
        try {
            if (shared) {
                tarPass(outputs, fed, passDigest, second != null, imageName, entries, outDir, ctx, results,
                        failures);
            } else {
                for (int i : fed) {
                    Output o = outputs.get(i);
                    results.set(i, Outputs.write(o, field(i), o.fileNames(imageName), entries, outDir, ctx));
                }
            }
            if (failures.none()) {
                for (int i : others) {
                    Output o = outputs.get(i);
                    results.set(i, Outputs.write(o, field(i), o.fileNames(imageName), entries, outDir, ctx));
                }
            }
        } catch (Throwable t) {
            failures.add(0, t);
        } finally {
            if (second != null) {
                joinUninterruptibly(second);
            } else if (!onDisk.isEmpty() && failures.none()) {
                diskOutputs.run();
            }
        }
        failures.rethrow();
        List<OutputArtifact> all = new ArrayList<>();
        results.forEach(all::addAll);
        return all;
    }

    /**
     * Writes the tree as a tar once; each output fed by it reads that stream on a thread of its own. With
     * {@code beside} (the disk outputs running at the same time), mksquashfs yields the cores to their chain.
     */
    private static void tarPass(List<Output> outputs, List<Integer> fed, boolean identity, boolean beside,
                                String imageName,
                                List<TreeEntry> entries, Path outDir, EmitContext ctx,
                                List<List<OutputArtifact>> results, Failures failures) throws IOException {
        MessageDigest sha = identity ? Hashes.sha256() : null;
        FanOut fan = new FanOut(sha);
        TreeEntry root = entries.get(0);
        long rootBytes = rootBytes(root);
        List<Thread> readers = new ArrayList<>();
        for (int i : fed) {
            Output o = outputs.get(i);
            FanOut.Reader in = fan.reader(o.format == OutputFormat.SQUASHFS ? rootBytes : 0);
            String file = o.fileNames(imageName).get(0);
            Thread t = new Thread(() -> {
                try (in) {
                    results.set(i, ctx.timed(file, () -> List.of(o.format == OutputFormat.SQUASHFS
                            ? Outputs.nativeFile(o, file, outDir, ctx,
                                    target -> SquashfsWriter.write(o, root, target, ctx, in::transferTo, beside))
                            : Outputs.stream(o, file, outDir, out -> {
                                try (OutputStream compressed = Outputs.compress(o, out, ctx.threads())) {
                                    in.transferTo(compressed);
                                }
                            }))));
                } catch (Throwable t2) {
                    failures.add(1, t2);
                }
            }, "output-" + i);
            t.setDaemon(true);
            readers.add(t);
        }
        readers.forEach(Thread::start);
        try {
            ctx.timed("tar-pass", () -> {
                new TarEmitter().emit(entries, fan);
                fan.close();
                return null;
            });
        } catch (Throwable t) {
            fan.fail(t);
            throw t;
        } finally {
            readers.forEach(OutputSet::joinUninterruptibly);
        }
        if (sha != null && failures.none()) {
            ctx.treeSha256Known(entries, HexFormat.of().formatHex(sha.digest()));
        }
    }

    /** How many bytes the tree's root takes at the start of its tar (its header, and a pax header if it has one). */
    static long rootBytes(TreeEntry root) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new TarEmitter().emit(List.of(root), b);
        byte[] tar = b.toByteArray();
        int last = tar.length - 1;
        while (last >= 0 && tar[last] == 0) {
            last--; // the end-of-archive records and the padding are zeros; the root's own header is not
        }
        return (last / 512 + 1) * 512L;
    }

    static String field(int i) {
        return "spec.outputs[" + i + "]";
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Failures of the threads, the most telling first: the tar pass, then its readers, then the disk outputs. */
    private static final class Failures {
        private final List<Throwable>[] byRank = newRanks();

        @SuppressWarnings("unchecked")
        private static List<Throwable>[] newRanks() {
            return new List[]{new ArrayList<>(), new ArrayList<>(), new ArrayList<>()};
        }

        synchronized void add(int rank, Throwable t) {
            while (t instanceof CompletionException && t.getCause() != null) {
                t = t.getCause();
            }
            byRank[rank].add(t);
        }

        synchronized boolean none() {
            for (List<Throwable> l : byRank) {
                if (!l.isEmpty()) {
                    return false;
                }
            }
            return true;
        }

        synchronized void rethrow() throws IOException {
            Throwable first = null;
            for (List<Throwable> l : byRank) {
                for (Throwable t : l) {
                    if (first == null) {
                        first = t;
                    } else if (t != first) {
                        first.addSuppressed(t);
                    }
                }
            }
            if (first == null) {
                return;
            }
            throw dev.twinbuild.pipeline.Failures.asIOException(first, first.toString());
        }
    }
}
