package dev.twinbuild.verify;

import dev.twinbuild.api.v1alpha1.Variation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts one build of a verification as its own process, in its own directories, with its variation
 * set applied the way reprotest applies it: environment, umask, user, hostname, and the in-process
 * variations as flags of {@code twinbuild build}.
 */
final class ChildBuild {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final boolean UTS_NAMESPACES = ROOT && works("unshare", "--uts", "true");

    private final VariationSet set;
    private final Path manifest;
    private final Path workDir;
    private final Path outDir;
    private final Path cacheDir;
    final List<String> notApplied = new ArrayList<>();

    ChildBuild(VariationSet set, Path manifest, Path workRoot, Path cacheDir) {
        this.set = set;
        this.manifest = manifest;
        this.workDir = workRoot.resolve(set.buildPath());
        this.outDir = workRoot.resolve("out-" + set.index());
        this.cacheDir = cacheDir;
    }

    Path outDir() {
        return outDir;
    }

    Process start(Path log) throws IOException {
        Files.createDirectories(workDir);
        Files.createDirectories(outDir);
        List<String> cmd = new ArrayList<>();
        // The hostname is set while still root; the user changes after it.
        if (set.hostname() != null) {
            if (UTS_NAMESPACES) {
                cmd.addAll(List.of("unshare", "--uts", "/bin/sh", "-c",
                        "hostname \"$0\" && domainname \"$1\"; shift; exec \"$@\"", set.hostname(), set.domain()));
            } else {
                notApplied.add(Variation.domain_host + " (needs a UTS namespace: root with CAP_SYS_ADMIN)");
            }
        }
        if (set.uid() != null) {
            if (ROOT && readableByOthers(manifest)) {
                for (Path p : new Path[]{workDir, outDir}) {
                    chownTree(p, set.uid().intValue());
                }
                cmd.addAll(List.of("setpriv", "--reuid=" + set.uid(), "--regid=" + set.gid(), "--clear-groups"));
            } else {
                notApplied.add(Variation.user_group + " (needs root and a world-readable manifest)");
            }
        }
        cmd.addAll(List.of("/bin/sh", "-c", "umask " + set.umask() + " && exec \"$@\"", "twinbuild"));
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Dfile.encoding=UTF-8");
        cmd.add("-Dsun.jnu.encoding=UTF-8");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.twinbuild.cli.Main", "build",
                manifest.toString(), "--out", outDir.toString(), "--work", workDir.toString(),
                "--cache", cacheDir.toString(), "--dir-order", set.dirOrder().name(),
                "--clock-offset", Long.toString(set.clockOffsetSeconds())));
        if (set.cpus() != null) {
            cmd.addAll(List.of("--cpus", set.cpus().toString()));
        }
        set.applied().forEach((k, v) -> cmd.addAll(List.of("--variation", k + "=" + v)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.remove("TWINBUILD_CACHE");
        set.env().forEach((k, v) -> {
            if (k.equals("TWINBUILD_PATH_APPEND")) {
                env.put("PATH", env.getOrDefault("PATH", "/usr/bin:/bin") + ":" + v);
            } else {
                env.put(k, v);
            }
        });
        return pb.start();
    }

    private static boolean works(String... cmd) {
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean readableByOthers(Path manifest) throws IOException {
        Path p = manifest.toAbsolutePath();
        if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_READ)) {
            return false;
        }
        for (Path d = p.getParent(); d != null; d = d.getParent()) {
            if (!Files.getPosixFilePermissions(d).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }

    private static void chownTree(Path root, int uid) throws IOException {
        try (var s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
            }
        }
        // The parents up to the work root must be passable for the other user.
        for (Path d = root.getParent(); d != null && d.getNameCount() > 1; d = d.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(d);
            if (perms.add(PosixFilePermission.OTHERS_EXECUTE)) {
                Files.setPosixFilePermissions(d, perms);
            }
        }
    }
}
