package dev.twinbuild.cli;

import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.packages.PackageFetch;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildOptions.DirOrder;
import dev.twinbuild.pipeline.BuildResult;
import dev.twinbuild.pipeline.OutputArtifact;
import dev.twinbuild.pipeline.Pipeline;
import dev.twinbuild.pipeline.tree.Rootfs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Builds the outputs of a SystemImage manifest and prints their SHA-256 (sha256sum format).")
public class BuildCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "SystemImage manifest (YAML)")
    Path manifest;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where outputs and build-record.json go")
    Path out;

    @Option(names = "--work", paramLabel = "DIR", description = "work directory (default: a new temporary one, removed)")
    Path work;

    @Option(names = "--cache", paramLabel = "DIR", description = "fetch cache (default: $TWINBUILD_CACHE; for packages layers ~/.cache/twinbuild; else in the work directory)")
    Path cache;

    @Option(names = "--keep-work", description = "keep the work directory")
    boolean keepWork;

    @Option(names = "--threads", paramLabel = "N", description = "compression threads (default: CPUs)")
    Integer threads;

    @Option(names = "--cpus", paramLabel = "N", description = "CPUs visible to build steps")
    Integer cpus;

    @Option(names = "--dir-order", paramLabel = "ORDER", description = "directory read order: NATURAL or REVERSE")
    DirOrder dirOrder = DirOrder.NATURAL;

    @Option(names = "--clock-offset", paramLabel = "SECONDS", description = "clock shift seen by build steps")
    long clockOffset;

    @Option(names = "--variation", paramLabel = "NAME=VALUE", description = "recorded in the build record")
    Map<String, String> variations = new TreeMap<>();

    @Override
    public Integer call() throws Exception {
        SystemImageDocument doc = Manifests.read(manifest);
        boolean temporary = work == null;
        Path workDir = temporary ? Files.createTempDirectory("twinbuild-") : work;
        // Package files are many and large: they go to the user's cache unless told otherwise.
        boolean packages = doc.spec.layers.stream().anyMatch(l -> l.packages != null);
        Path cacheDir = cache != null ? cache : System.getenv("TWINBUILD_CACHE") != null || packages
                ? PackageFetch.userCache() : workDir.resolve("cache");
        int t = threads != null ? threads : cpus != null ? cpus : Runtime.getRuntime().availableProcessors();
        BuildOptions options = new BuildOptions(workDir, cacheDir, clockOffset, dirOrder, t, cpus,
                new TreeMap<>(variations));
        try {
            BuildResult result = Pipeline.build(doc, manifest.toAbsolutePath().getParent(), out, options);
            for (OutputArtifact o : result.outputs()) {
                System.out.println(o.sha256() + "  " + o.file());
            }
            return Main.OK;
        } finally {
            if (temporary && !keepWork) {
                Rootfs.deleteTree(workDir);
            } else if (!keepWork) {
                Rootfs.deleteTree(workDir.resolve("rootfs"));
                Rootfs.deleteTree(workDir.resolve("scratch"));
                Rootfs.deleteTree(workDir.resolve("normalised"));
                Rootfs.deleteTree(workDir.resolve("packages"));
            }
        }
    }
}
