package dev.twinbuild.pipeline;

import dev.twinbuild.redaction.Redaction;
import dev.twinbuild.api.v1alpha1.Layer;
import dev.twinbuild.api.v1alpha1.Step;
import dev.twinbuild.api.v1alpha1.SystemImageSpec;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.packages.PackageLock;
import dev.twinbuild.packages.PackagesLayerApplier;
import dev.twinbuild.pipeline.assemble.ArchiveLimits;
import dev.twinbuild.pipeline.assemble.InlineFilesApplier;
import dev.twinbuild.pipeline.assemble.TarLayerApplier;
import dev.twinbuild.pipeline.emit.EmitContext;
import dev.twinbuild.pipeline.emit.OutputSet;
import dev.twinbuild.pipeline.fetch.Fetcher;
import dev.twinbuild.pipeline.fetch.OciPuller;
import dev.twinbuild.pipeline.fetch.PinnedStream;
import dev.twinbuild.pipeline.normalise.TreeNormalizer;
import dev.twinbuild.pipeline.normalise.TreeScanner;
import dev.twinbuild.pipeline.record.BuildRecord;
import dev.twinbuild.pipeline.steps.Sandbox;
import dev.twinbuild.pipeline.steps.StepRunner;
import dev.twinbuild.pipeline.tree.IndexTree;
import dev.twinbuild.pipeline.tree.Rootfs;
import dev.twinbuild.pipeline.tree.Tree;
import dev.twinbuild.pipeline.tree.TreeEntry;
import dev.twinbuild.pipeline.tree.TreeRemoval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** pinned inputs → rootfs → steps → normalisation → outputs → SHA-256 → build record. */
public final class Pipeline {
    public static final String RECORD_FILE = dev.twinbuild.store.Stores.RECORD_FILE;

    private final ArchiveLimits limits;

    public Pipeline(ArchiveLimits limits) {
        this.limits = limits;
    }

    public static BuildResult build(SystemImageDocument doc, Path manifestDir, Path outDir, BuildOptions options)
            throws IOException {
        return new Pipeline(ArchiveLimits.DEFAULT).run(doc, manifestDir, outDir, options);
    }

    public BuildResult run(SystemImageDocument doc, Path manifestDir, Path outDir, BuildOptions options)
            throws IOException {
        Manifests.check(doc);
        Phases phases = new Phases();
        phases.start("prepare");
        SystemImageSpec spec = doc.spec;
        Path work = options.workDir();
        Path rootDir = work.resolve("rootfs");
        Rootfs.deleteTree(rootDir);
        Rootfs.deleteTree(work.resolve("scratch"));
        Rootfs.deleteTree(work.resolve("normalised"));
        Files.createDirectories(outDir);

        BuildRecord record = new BuildRecord();
        record.image = doc.name();
        record.specSha256 = Hashes.sha256(Manifests.canonicalJson(spec));
        record.sourceDateEpoch = spec.sourceDateEpoch;
        record.variations.putAll(options.variations());
        Tools.versions(record.tools, !spec.steps.isEmpty());

        // Without steps, and with outputs written from a stream of entries, no rootfs on disk
        Tree fs;
        if (rootless(spec)) {
            Files.createDirectories(rootDir);
            fs = new IndexTree(rootDir.resolve("contents"), spec.sourceDateEpoch);
        } else {
            fs = new Rootfs(rootDir, spec.sourceDateEpoch);
        }
        phases.start("assemble");
        assemble(doc, manifestDir, options, fs, record);
        if (fs instanceof Rootfs r) {
            r.finishAssembly(layerContents(spec));
        }
        phases.start("steps");
        runSteps(spec, options, work, rootDir, record);

        phases.start("scan");
        TreeScanner scanner = fs instanceof Rootfs r
                ? new TreeScanner(rootDir, r.meta(), options.dirOrder(), r.contentFence()) : null;
        List<TreeScanner.Scanned> scanned = scanner != null ? scanner.scan() : ((IndexTree) fs).scan();
        phases.start("normalise");
        List<TreeEntry> entries = new TreeNormalizer(spec, work.resolve("normalised")).normalize(scanned);
        record.entries = entries.size();

        phases.start("outputs");
        List<OutputArtifact> outputs = new ArrayList<>();
        Tools.formatVersions(record.tools, spec.outputs);
        TreeRemoval removal = scanner != null ? scanner.removeUnread(scanned) : null;
        try (EmitContext ctx = new EmitContext(spec.sourceDateEpoch, doc.name(), work.resolve("formats"),
                Math.max(1, options.threads()))) {
            outputs.addAll(OutputSet.write(spec.outputs, doc.name(), entries, outDir, ctx));
            phases.outputs(ctx.timings());
        } finally {
            if (removal != null) {
                phases.start("removal"); // what is left of removing the tree while the outputs were written
                removal.close();
            }
        }
        fs.checkLayersUnchanged();
        record.outputs = outputs;
        Path recordFile = outDir.resolve(RECORD_FILE);
        Files.write(recordFile, (new String(Manifests.canonicalJson(record), StandardCharsets.UTF_8) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        phases.end(System.err);
        return new BuildResult(outputs, recordFile);
    }

    /**
     * Whether the tree can stay an index of entries: nothing runs in it, nothing rewrites contents, and formats
     * that read contents through the index (the filesystem formats from a tree materialised from it).
     */
    static boolean rootless(SystemImageSpec spec) {
        return spec.steps.isEmpty() && unrewritten(spec) && spec.outputs.stream().allMatch(o -> switch (o.format) {
            case TAR, TAR_GZ, TAR_ZST, CPIO_GZ, SQUASHFS, EXT4, ISO -> true;
            default -> false;
        });
    }

    /** Nothing rewrites contents, and no packages layer (its installation is checked and fixed up on disk). */
    private static boolean unrewritten(SystemImageSpec spec) {
        return spec.normalize.isEmpty() && spec.layers.stream().allMatch(l -> l.packages == null);
    }

    /**
     * Whether outputs may read file contents from the layers (where a rootfs file is as assembly wrote it):
     * nothing rewrites contents, no packages layer (its installation is checked and fixed up on disk), and only
     * stream formats (which read contents through {@link TreeEntry#openContent}).
     */
    static boolean layerContents(SystemImageSpec spec) {
        return unrewritten(spec) && spec.outputs.stream().allMatch(o -> switch (o.format) {
            case TAR, TAR_GZ, TAR_ZST, CPIO_GZ -> true;
            default -> false;
        });
    }

    private void assemble(SystemImageDocument doc, Path manifestDir, BuildOptions options, Tree fs,
                          BuildRecord record) throws IOException {
        SystemImageSpec spec = doc.spec;
        PackageLock lock = null;
        Fetcher fetcher = new Fetcher(options.cacheDir(), limits.maxTotalBytes());
        boolean devices = Boolean.TRUE.equals(spec.allowDevices);
        for (int i = 0; i < spec.layers.size(); i++) {
            Layer l = spec.layers.get(i);
            String field = "spec.layers[" + i + "]";
            if (l.tar != null) {
                // Read once, hashed as it is applied (no copy of a local file into the cache)
                try (PinnedStream in = fetcher.open(l.tar.url, l.tar.sha256, manifestDir, field + ".tar")) {
                    in.verifying(() -> new TarLayerApplier(fs, limits, devices).apply(in, in.file(), field));
                }
                record.inputs.add(new BuildRecord.Input(field, "tar", Redaction.url(l.tar.url), null, l.tar.sha256, null, null));
            } else if (l.oci != null) {
                List<Path> blobs = new OciPuller(fetcher).pull(l.oci.image, l.oci.platformOrDefault(), field + ".oci");
                List<String> digests = new ArrayList<>();
                for (Path b : blobs) {
                    try (InputStream in = Files.newInputStream(b)) {
                        new TarLayerApplier(fs, limits, devices).apply(in, b, field + " (blob " + b.getFileName() + ")");
                    }
                    digests.add(b.getFileName().toString());
                }
                String digest = l.oci.image.substring(l.oci.image.indexOf("@sha256:") + 8);
                record.inputs.add(new BuildRecord.Input(field, "oci", null, l.oci.image, digest, digests, null));
            } else if (l.packages != null) {
                if (lock == null) {
                    lock = PackageLock.forDocument(doc);
                }
                PackageLock.LockedLayer locked = lock.forLayer(l.packages, field, PackageLock.fileFor(doc),
                        doc.source != null ? doc.source.toString() : "FILE.yaml");
                Tools.packageVersions(record.tools);
                record.inputs.add(new PackagesLayerApplier((Rootfs) fs, limits, fetcher, doc.packageMirror)
                        .apply(l.packages, locked, field,
                        options.workDir().resolve("packages"), spec.sourceDateEpoch, options.clockOffsetSeconds(),
                        options.cpus(), record));
            } else {
                new InlineFilesApplier(fs, spec.sourceDateEpoch).apply(l.files, field);
                record.inputs.add(new BuildRecord.Input(field, "files", null, null, null, null, l.files.size()));
            }
        }
    }

    private static void runSteps(SystemImageSpec spec, BuildOptions options, Path work, Path rootDir,
                                 BuildRecord record) throws IOException {
        if (spec.steps.isEmpty()) {
            return;
        }
        StepRunner runner = new StepRunner(Sandbox.detect(), rootDir, work.resolve("scratch"), work.resolve("logs"),
                spec.sourceDateEpoch, options.clockOffsetSeconds(), options.cpus());
        for (int i = 0; i < spec.steps.size(); i++) {
            Step s = spec.steps.get(i);
            runner.run(s, i);
            record.steps.add(new BuildRecord.StepRecord(s.name, Hashes.sha256(s.run.getBytes(StandardCharsets.UTF_8)),
                    s.chrooted()));
        }
    }
}
