package dev.twinbuild.cli;

import dev.twinbuild.api.v1alpha1.Layer;
import dev.twinbuild.api.v1alpha1.PackageLockRef;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.packages.DebianResolver;
import dev.twinbuild.packages.PackageLock;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.tree.Rootfs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "lock", mixinStandardHelpOptions = true,
        description = "Resolves the packages layers of a manifest against their mirrors and writes FILE.lock.json "
                + "beside it: every package pinned by name, version, architecture, SHA-256 and URL.")
public class LockCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "SystemImage manifest (YAML)")
    Path manifest;

    @Override
    public Integer call() throws Exception {
        SystemImageDocument doc = Manifests.read(manifest);
        PackageLock lock = new PackageLock();
        Path work = Files.createTempDirectory("twinbuild-lock-");
        try {
            for (int i = 0; i < doc.spec.layers.size(); i++) {
                Layer l = doc.spec.layers.get(i);
                if (l.packages != null) {
                    lock.layers.add(DebianResolver.resolve(l.packages, "spec.layers[" + i + "]", work));
                }
            }
        } finally {
            Rootfs.deleteTree(work);
        }
        if (lock.layers.isEmpty()) {
            throw new InputException("spec.layers", "no packages layer: nothing to lock");
        }
        Path file = PackageLock.fileFor(manifest);
        lock.write(file);
        for (PackageLock.LockedLayer l : lock.layers) {
            long bytes = l.packages().stream().mapToLong(PackageLock.LockedPackage::size).sum();
            System.out.println(l.field() + ": " + l.packages().size() + " packages, " + bytes / 1000 / 1000
                    + " MB, from " + l.mirror() + " " + l.suite());
        }
        String sha256 = Hashes.sha256(Files.readAllBytes(file));
        System.out.println("wrote " + file + " (sha256 " + sha256 + ")");
        printClusterUse(doc, file, sha256);
        return Main.OK;
    }

    /** What a cluster needs: the lock as a ConfigMap of the SystemImage's namespace, and its digest in the spec. */
    private static void printClusterUse(SystemImageDocument doc, Path file, String sha256) {
        PackageLockRef.ConfigMapKey ref = doc.spec.packageLock != null ? doc.spec.packageLock.configMapRef : null;
        String name = ref != null ? ref.name : doc.name() + "-lock";
        String key = ref != null ? ref.key : "lock.json";
        boolean current = doc.spec.packageLock != null && sha256.equals(doc.spec.packageLock.sha256);
        System.out.println("In a cluster (ConfigMap in the SystemImage's namespace" + (current
                ? "; spec.packageLock is up to date):" : "; put spec.packageLock into " + doc.source + "):"));
        System.out.println("  kubectl create configmap " + name + " --from-file=" + key + "=" + file
                + " --dry-run=client -o yaml | kubectl apply -f -");
        if (!current) {
            System.out.println("  spec:");
            System.out.println("    packageLock: {configMapRef: {name: " + name + ", key: " + key + "}, sha256: "
                    + sha256 + "}");
        }
    }
}
