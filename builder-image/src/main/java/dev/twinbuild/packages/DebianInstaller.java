package dev.twinbuild.packages;

import dev.twinbuild.api.v1alpha1.PackagesLayer;
import dev.twinbuild.pipeline.BuildException;
import dev.twinbuild.pipeline.steps.Sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Installs the locked packages with {@code mmdebstrap --mode=fakechroot}: no privilege, no namespace, no
 * capability (it works in the hardened builder pod), maintainer scripts run under fakechroot + fakeroot. The
 * only APT source is the local repository of locked files. It runs in the step sandbox (bubblewrap on a
 * workstation: read-only host, no network, hostname twinbuild) with a pinned environment; what a verification
 * varies of the machine (clock, CPUs, build path) reaches it, so a maintainer script that leaks it is caught.
 */
final class DebianInstaller {
    private static final String FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    private DebianInstaller() {
    }

    /** @return the root filesystem as a tar (owners from fakeroot, mtimes clamped to SOURCE_DATE_EPOCH) */
    static Path install(PackagesLayer layer, PackageLock.LockedLayer lock, Path repo, Path work, long sourceDateEpoch,
                        long clockOffsetSeconds, Integer cpus, Sandbox sandbox) throws IOException {
        Path mmdebstrap = Tool.find("mmdebstrap", "mmdebstrap");
        Tool.find("fakechroot", "fakechroot");
        Tool.find("fakeroot", "fakeroot");
        Path home = Files.createDirectories(work.resolve("home"));
        Path tmp = Files.createDirectories(work.resolve("tmp"));
        Path tar = work.resolve("rootfs.tar");
        Files.deleteIfExists(tar);
        Map<String, String> env = new TreeMap<>();
        env.put("HOME", home.toString());
        env.put("TMPDIR", tmp.toString());
        env.put("LANG", "C.UTF-8");
        env.put("SOURCE_DATE_EPOCH", Long.toString(sourceDateEpoch));
        // fakeroot records owners itself; a real chown in bubblewrap's user namespace (one uid mapped) fails.
        env.put("FAKEROOTDONTTRYCHOWN", "1");
        if (clockOffsetSeconds != 0 && Files.exists(Path.of(FAKETIME_LIB))) {
            env.put("LD_PRELOAD", FAKETIME_LIB);
            env.put("FAKETIME", "+" + clockOffsetSeconds + "s");
            env.put("FAKETIME_DONT_RESET", "1");
            // Only the clock moves: with faked stat() results, file times set explicitly (touch -d @SDE in
            // mkinitramfs, dpkg's from the package) would read back shifted, which no real machine does.
            env.put("NO_FAKE_STAT", "1");
        }
        List<String> cmd = new ArrayList<>();
        if (cpus != null) {
            cmd.addAll(List.of("taskset", "-c", "0-" + (cpus - 1)));
        }
        cmd.addAll(sandbox.wrapTool(work));
        cmd.addAll(List.of("/bin/sh", "-c", "umask 022 && exec \"$@\"", "mmdebstrap", mmdebstrap.toString(),
                "--mode=fakechroot", "--variant=" + layer.variantOrDefault().name(),
                "--architectures=" + lock.architecture(), "--format=tar", "--skip=output/dev",
                "--aptopt=Acquire::Languages \"none\"", "--aptopt=APT::Install-Recommends \"false\""));
        for (String f : layer.pathFilters) {
            cmd.add("--dpkgopt=" + f);
        }
        if (!layer.packages.isEmpty()) {
            cmd.add("--include=" + String.join(",", layer.packages));
        }
        cmd.addAll(List.of(lock.suite(), tar.toString(), "deb [trusted=yes] copy://" + repo + " ./"));
        Path log = work.resolve("mmdebstrap.log");
        try {
            Tool.run("InstallFailed", cmd, env, work, log);
        } catch (BuildException e) {
            throw new BuildException("InstallFailed", "mmdebstrap failed (log " + log + "):\n"
                    + Tool.tail(Files.readString(log)), e);
        }
        return tar;
    }
}
