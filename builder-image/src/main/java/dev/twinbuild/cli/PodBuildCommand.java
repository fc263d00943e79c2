package dev.twinbuild.cli;

import dev.twinbuild.handoff.Handoff;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildOptions.DirOrder;
import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.Pipeline;
import dev.twinbuild.store.BuildSummary;
import dev.twinbuild.store.Sha256;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * The build container of a builder pod (an init container): builds, and leaves the outputs, the build
 * record and a {@link Handoff} in the directory it shares with the upload container. It holds nothing of
 * the store — no grants, no store volume — because build steps run here, as its subprocesses.
 * Whatever happens, a summary is written, so the SystemImage status can say why a build failed.
 */
@Command(name = "pod-build", mixinStandardHelpOptions = true,
        description = "Builds inside a builder pod and hands the outputs to pod-upload through a shared directory.")
public class PodBuildCommand implements Callable<Integer> {
    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "SystemImage manifest")
    Path manifest;

    @Option(names = "--work", required = true, paramLabel = "DIR", description = "writable work root (an emptyDir)")
    Path work;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "where the outputs, build record and hand-off go (shared with the upload container)")
    Path out;

    @Option(names = "--build-path", defaultValue = "build-0", paramLabel = "REL", description = "build directory below the work root")
    String buildPath;

    @Option(names = "--clock-offset", defaultValue = "0", paramLabel = "SECONDS")
    long clockOffset;

    @Option(names = "--dir-order", defaultValue = "NATURAL", paramLabel = "ORDER")
    DirOrder dirOrder;

    @Option(names = "--threads", paramLabel = "N", description = "also the CPUs build steps may use (num_cpus variation)")
    Integer threads;

    @Option(names = "--variation", paramLabel = "NAME=VALUE", description = "recorded in the build record")
    Map<String, String> variations = new TreeMap<>();

    @Option(names = "--package-lock", paramLabel = "FILE",
            description = "the lock of the packages layers (spec.packageLock's ConfigMap, mounted); its sha256 is checked")
    Path packageLock;

    @Option(names = "--package-mirror", paramLabel = "URL",
            description = "replaces the lock's mirror in package URLs (files stay pinned by sha256)")
    String packageMirror;

    @Option(names = "--termination-log", defaultValue = "/dev/termination-log", paramLabel = "FILE")
    Path terminationLog;

    @Override
    public Integer call() throws IOException {
        return PodReport.run(terminationLog, this::build);
    }

    private BuildSummary build() throws IOException {
        SystemImageDocument doc = Manifests.read(manifest);
        // No lock beside the mounted manifest: only the one the operator mounts from spec.packageLock counts.
        doc.source = null;
        doc.lockFile = packageLock;
        doc.packageMirror = packageMirror;
        Path buildDir = work.resolve(buildPath);
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        BuildOptions options = new BuildOptions(buildDir, work.resolve("cache"), clockOffset, dirOrder, t, threads,
                new TreeMap<>(variations));
        BuildResult result = Pipeline.build(doc, manifest.toAbsolutePath().getParent(), out, options);
        Path record = result.record();
        OutputArtifact recordArtifact = new OutputArtifact("record", record.getFileName().toString(), Sha256.hex(record),
                Files.size(record));
        new Handoff(result.outputs(), recordArtifact).write(out);
        List<BuildSummary.Output> outputs = new ArrayList<>();
        for (OutputArtifact o : result.outputs()) {
            outputs.add(new BuildSummary.Output(o.format(), o.file(), o.sha256(), o.size(), null));
        }
        return BuildSummary.success(outputs, null); // locations are the upload container's to report
    }
}
