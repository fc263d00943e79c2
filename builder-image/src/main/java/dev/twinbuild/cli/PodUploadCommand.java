package dev.twinbuild.cli;

import dev.twinbuild.handoff.HandoffUploader;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.store.ArtifactStoreClient;
import dev.twinbuild.store.DirectoryStore;
import dev.twinbuild.store.GrantUploader;
import dev.twinbuild.store.UploadGrants;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The upload container of a builder pod: always the operator's own builder image, started after the build
 * container (and every process a build step left behind) has ended. Re-hashes what pod-build handed over,
 * uploads it through the operator's grants (or into the PVC store) and reports the stored locations to
 * the operator through the termination message.
 */
@Command(name = "pod-upload", mixinStandardHelpOptions = true,
        description = "Uploads what pod-build handed over, after re-hashing it, and writes the summary for the operator.")
public class PodUploadCommand implements Callable<Integer> {
    @Option(names = "--manifest", required = true, paramLabel = "FILE", description = "SystemImage manifest")
    Path manifest;

    @Option(names = "--from", required = true, paramLabel = "DIR", description = "the directory pod-build wrote (--out)")
    Path from;

    @Option(names = "--grants", paramLabel = "FILE",
            description = "the operator's upload grants (S3 store): presigned requests for this build's keys only")
    Path grants;

    @Option(names = "--store-prefix", paramLabel = "KEY", description = "key prefix of this build's objects (PVC store)")
    String storePrefix;

    @Option(names = "--pvc-claim")
    String pvcClaim;

    @Option(names = "--pvc-sub-path")
    String pvcSubPath;

    @Option(names = "--pvc-mount", paramLabel = "DIR", description = "where the claim (sub-path) is mounted")
    Path pvcMount;

    @Option(names = "--termination-log", defaultValue = "/dev/termination-log", paramLabel = "FILE")
    Path terminationLog;

    @Override
    public Integer call() throws IOException {
        return PodReport.run(terminationLog,
                () -> new HandoffUploader(Manifests.read(manifest), from.toAbsolutePath().normalize()).upload(store()));
    }

    private ArtifactStoreClient store() {
        if (grants != null) {
            return new GrantUploader(UploadGrants.read(grants));
        }
        if (pvcClaim != null && storePrefix != null) {
            return new DirectoryStore(pvcMount, pvcClaim, pvcSubPath, storePrefix);
        }
        throw new InputException("--grants/--pvc-claim", "no artifact store given");
    }
}
