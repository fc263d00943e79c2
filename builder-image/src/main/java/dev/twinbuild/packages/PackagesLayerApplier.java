package dev.twinbuild.packages;

import dev.twinbuild.api.v1alpha1.PackagesLayer;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.assemble.ArchiveLimits;
import dev.twinbuild.pipeline.assemble.TarLayerApplier;
import dev.twinbuild.pipeline.fetch.Fetcher;
import dev.twinbuild.pipeline.record.BuildRecord;
import dev.twinbuild.pipeline.steps.Sandbox;
import dev.twinbuild.pipeline.tree.Rootfs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A packages layer in the pipeline: locked files fetched and verified, a local repository of exactly them,
 * mmdebstrap, the resulting tree applied like a tar layer, the installed set checked against the lock, and
 * what the installation leaves machine-specific fixed — each fix recorded in the build record.
 */
public final class PackagesLayerApplier {
    /** What mmdebstrap and the installer's set-up fix at the cause (recorded with every packages layer). */
    static final List<BuildRecord.Fix> AT_THE_CAUSE = List.of(
            new BuildRecord.Fix("*", "file times set by dpkg and maintainer scripts (the clock)",
                    "SOURCE_DATE_EPOCH exported to maintainer scripts; mmdebstrap's tar clamps every mtime to it"),
            new BuildRecord.Fix("/boot/initrd.img-*", "initramfs-tools: cpio order and times",
                    "SOURCE_DATE_EPOCH: mkinitramfs sorts the entries and clamps their times"),
            new BuildRecord.Fix("*", "maintainer scripts see the build machine",
                    "pinned environment (umask 022, TZ=UTC, LC_ALL=C.UTF-8, HOME) and bubblewrap (hostname "
                            + "twinbuild, no network)"),
            new BuildRecord.Fix("/var/log/dpkg.log, /var/log/apt/{history,term}.log, /var/log/alternatives.log, "
                    + "/var/log/apt/eipp.log.xz", "logs with the install times", "removed (mmdebstrap cleanup)"),
            new BuildRecord.Fix("/var/cache/ldconfig/aux-cache", "ldconfig: inode numbers and times of libraries",
                    "removed (mmdebstrap cleanup)"),
            new BuildRecord.Fix("/etc/machine-id, /var/lib/dbus/machine-id", "systemd/dbus: random machine id",
                    "emptied (systemd makes one at first boot), removed (mmdebstrap cleanup)"),
            new BuildRecord.Fix("/var/lib/apt/lists, /var/cache/apt", "apt: indices and .debs of the build",
                    "removed (mmdebstrap cleanup)"),
            new BuildRecord.Fix("/dev", "device nodes made by fakeroot", "not written (--skip=output/dev), an "
                    + "empty /dev kept: the initramfs moves devtmpfs there at boot"));

    private final Rootfs fs;
    private final ArchiveLimits limits;
    private final Fetcher fetcher;
    private final String mirrorOverride;

    /** @param mirrorOverride replaces the lock's mirror in package URLs (null: none); files stay pinned */
    public PackagesLayerApplier(Rootfs fs, ArchiveLimits limits, Fetcher fetcher, String mirrorOverride) {
        this.fs = fs;
        this.limits = limits;
        this.fetcher = fetcher;
        this.mirrorOverride = mirrorOverride;
    }

    /** Installs the layer into the tree; returns its record entry and adds its fixes to {@code record}. */
    public BuildRecord.Input apply(PackagesLayer layer, PackageLock.LockedLayer lock, String field, Path work,
                                   long sourceDateEpoch, long clockOffsetSeconds, Integer cpus, BuildRecord record)
            throws IOException {
        work = work.toAbsolutePath(); // bubblewrap's binds and the copy:// source need absolute paths
        Rootfs.deleteTree(work);
        Files.createDirectories(work);
        Map<PackageLock.LockedPackage, Path> files = PackageFetch.fetchAll(fetcher, lock, field, mirrorOverride);
        Path repo = work.resolve("repo");
        LocalRepo.create(lock, files, repo, field);
        Path tar = DebianInstaller.install(layer, lock, repo, work, sourceDateEpoch, clockOffsetSeconds, cpus,
                Sandbox.detect());
        try (InputStream in = Files.newInputStream(tar)) {
            new TarLayerApplier(fs, limits, false).apply(in, field + " (installed packages)");
        }
        checkInstalled(lock, field);
        record.fixes.addAll(AT_THE_CAUSE);
        fixHostFiles(lock, sourceDateEpoch, record);
        Rootfs.deleteTree(work);
        return new BuildRecord.Input(field, "packages", lock.mirror(), null,
                Hashes.sha256(Manifests.canonicalJson(lock)), null, lock.packages().size());
    }

    /** Files mmdebstrap takes from the host or from its set-up: replaced by what the image should hold. */
    private void fixHostFiles(PackageLock.LockedLayer lock, long sde, BuildRecord record) throws IOException {
        for (String host : List.of("etc/hostname", "etc/resolv.conf")) {
            if (Files.exists(fs.dir().resolve(host), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                fs.remove(fs.place(host, host));
            }
        }
        if (!Files.isDirectory(fs.dir().resolve("dev"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            fs.putDir(fs.place("dev", "dev"), 0755, 0, 0, sde);
        }
        record.fixes.add(new BuildRecord.Fix("/etc/hostname, /etc/resolv.conf", "mmdebstrap copies the build "
                + "machine's", "removed (a files layer may add the image's own)"));
        byte[] sources = ("deb " + lock.mirror() + " " + lock.suite() + " main\n").getBytes(StandardCharsets.UTF_8);
        String real = fs.place("etc/apt/sources.list", "etc/apt/sources.list");
        fs.putFile(real, new ByteArrayInputStream(sources), sources.length, 0644, 0, 0, sde);
        fs.fixDirectoryTimes();
        record.fixes.add(new BuildRecord.Fix("/etc/apt/sources.list", "names the build's local repository (its "
                + "path)", "rewritten to the mirror the lock was resolved against"));
    }

    /** The installed packages must be exactly the locked ones: apt chose from them, this proves it chose all. */
    private void checkInstalled(PackageLock.LockedLayer lock, String field) throws IOException {
        Path status = fs.dir().resolve("var/lib/dpkg/status");
        Set<String> installed = new TreeSet<>();
        for (Map<String, String> s : Deb822.parse(Files.readString(status, StandardCharsets.UTF_8))) {
            if ("install ok installed".equals(s.get("Status"))) {
                installed.add(s.get("Package") + "=" + s.get("Version"));
            }
        }
        Set<String> locked = new TreeSet<>();
        lock.packages().forEach(p -> locked.add(p.name() + "=" + p.version()));
        if (!installed.equals(locked)) {
            Set<String> missing = new TreeSet<>(locked);
            missing.removeAll(installed);
            Set<String> extra = new TreeSet<>(installed);
            extra.removeAll(locked);
            throw new InputException(field + ".packages", "the installation does not match the lock (locked but "
                    + "not installed: " + missing + "; installed but not locked: " + extra + "): run twinbuild lock");
        }
    }
}
