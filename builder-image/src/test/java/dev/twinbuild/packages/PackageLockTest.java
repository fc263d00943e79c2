package dev.twinbuild.packages;

import dev.twinbuild.api.v1alpha1.PackagesLayer;
import dev.twinbuild.cli.Main;
import dev.twinbuild.manifest.Manifests;
import dev.twinbuild.manifest.SystemImageDocument;
import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.Pipeline;
import dev.twinbuild.testing.Commands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Builds install only what the lock pins: a missing or stale lock, and a lock whose file for a package is
 * another package's, are refused before anything is installed, naming the layer and the package. Real .debs
 * made by dpkg-deb, no network.
 */
class PackageLockTest {
    private static final String MANIFEST = """
            apiVersion: twinbuild.dev/v1alpha1
            kind: SystemImage
            metadata: {name: locked}
            spec:
              sourceDateEpoch: 1700000000
              layers:
                - packages: {suite: bookworm, packages: [alpha, beta]}
              outputs: [{format: tar}]
            """;

    @TempDir
    Path tmp;

    @Test
    void aBuildWithoutLockIsRefused() throws IOException {
        SystemImageDocument doc = manifest();
        assertThatThrownBy(() -> build(doc)).isInstanceOf(InputException.class)
                .hasMessageContaining("locked.lock.json").hasMessageContaining("no lock file: run twinbuild lock");
        assertThat(Main.run("verify", tmp.resolve("locked.yaml").toString(), "--out", tmp.resolve("v").toString(),
                "--work", tmp.resolve("vw").toString(), "--cache", tmp.resolve("vc").toString()))
                .isEqualTo(Main.BAD_INPUT);
    }

    @Test
    void aStaleLockIsRefused() throws IOException {
        SystemImageDocument doc = manifest();
        Path alpha = deb("alpha", "1.0");
        PackagesLayer before = Manifests.parse(MANIFEST.replace("[alpha, beta]", "[alpha]"), "x").spec.layers.get(0)
                .packages;
        lock(PackageLock.inputSha256(before), List.of(locked("alpha", alpha, Hashes.sha256(alpha))));
        assertThatThrownBy(() -> build(doc)).isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.layers[0].packages: the lock")
                .hasMessageContaining("is stale");
    }

    @Test
    void aSwappedDebIsRefusedNamingThePackage() throws IOException {
        SystemImageDocument doc = manifest();
        Path alpha = deb("alpha", "1.0");
        String betaSha256 = Hashes.sha256(deb("beta", "1.0"));
        // The mirror's file for beta is swapped for alpha's: its SHA-256 is not the pinned one.
        Path swapped = Files.copy(alpha, Files.createDirectories(tmp.resolve("mirror")).resolve("beta_1.0_all.deb"));
        lock(PackageLock.inputSha256(doc.spec.layers.get(0).packages), List.of(
                locked("alpha", alpha, Hashes.sha256(alpha)), locked("beta", swapped, betaSha256)));
        assertThatThrownBy(() -> build(doc)).isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.layers[0].packages[beta].sha256: locked package beta=1.0 (all): "
                        + "sha256 mismatch");
        // The CLI: exit 2, bad input.
        assertThat(Main.run("build", tmp.resolve("locked.yaml").toString(), "--out", tmp.resolve("cli-out").toString(),
                "--work", tmp.resolve("cli-work").toString(), "--cache", tmp.resolve("cli-cache").toString()))
                .isEqualTo(Main.BAD_INPUT);
    }

    @Test
    void aLockPinningAnotherPackagesFileIsRefused() throws IOException {
        SystemImageDocument doc = manifest();
        Path alpha = deb("alpha", "1.0");
        // beta's entry pins alpha's hash: the content-addressed cache would hand out alpha for beta.
        lock(PackageLock.inputSha256(doc.spec.layers.get(0).packages), List.of(
                locked("alpha", alpha, Hashes.sha256(alpha)), locked("beta", alpha, Hashes.sha256(alpha))));
        assertThatThrownBy(() -> build(doc)).isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.layers[0].packages: locked package beta=1.0 (all)")
                .hasMessageContaining("is alpha=1.0 (all), not beta");
    }

    @Test
    void theSpecPinsTheLockByDigest() throws IOException {
        Path alpha = deb("alpha", "1.0");
        SystemImageDocument plain = manifest();
        lock(PackageLock.inputSha256(plain.spec.layers.get(0).packages), List.of(
                locked("alpha", alpha, Hashes.sha256(alpha))));
        String digest = Hashes.sha256(Files.readAllBytes(tmp.resolve("locked.lock.json")));
        // The CLI: FILE.lock.json must have the digest the spec pins.
        SystemImageDocument pinned = manifest(MANIFEST + "  packageLock: {configMapRef: {name: locked-lock, key: "
                + "lock.json}, sha256: " + "0".repeat(64) + "}\n");
        assertThatThrownBy(() -> build(pinned)).isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.packageLock.sha256: the lock ")
                .hasMessageContaining("has sha256 " + digest + ", the spec pins " + "0".repeat(64));
        // A pod: the mounted lock (doc.lockFile) instead of the one beside the manifest, checked the same way.
        Path mounted = Files.createDirectories(tmp.resolve("mounted")).resolve("lock.json");
        Files.writeString(mounted, Files.readString(tmp.resolve("locked.lock.json")) + " ");
        SystemImageDocument pod = manifest(MANIFEST + "  packageLock: {sha256: " + digest + "}\n");
        pod.source = null;
        pod.lockFile = mounted;
        assertThatThrownBy(() -> build(pod)).isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.packageLock.sha256: the lock " + mounted + " has sha256");
        // The right digest gets past the lock (to the installer, which cannot find beta: not locked).
        Files.copy(tmp.resolve("locked.lock.json"), mounted, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> build(pod)).hasMessageNotContaining("spec.packageLock")
                .hasMessageContaining("Unable to locate package beta");
        // Without any lock in a pod: the message says where the lock comes from in a cluster.
        pod.lockFile = null;
        assertThatThrownBy(() -> build(pod)).isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.packageLock: a packages layer needs its lock");
    }

    @Test
    void aLockRefWithoutPackagesLayerOrWithABadNameIsRefused() {
        assertThatThrownBy(() -> Manifests.parse(MANIFEST + "  packageLock: {configMapRef: {name: Bad_Name, key: "
                + "lock.json}, sha256: " + "a".repeat(64) + "}\n", "x")).isInstanceOf(InputException.class)
                .hasMessageContaining("spec.packageLock.configMapRef.name: required, a ConfigMap name");
        assertThatThrownBy(() -> Manifests.parse(MANIFEST.replace("- packages: {suite: bookworm, packages: [alpha, "
                + "beta]}", "- files: [{path: /a, content: a}]") + "  packageLock: {sha256: " + "a".repeat(64)
                + "}\n", "x")).isInstanceOf(InputException.class)
                .hasMessageContaining("spec.packageLock: there is no packages layer to lock");
    }

    @Test
    void theMirrorOverrideReplacesTheLocksMirror() throws IOException {
        assertThat(PackageFetch.url("http://deb.debian.org/debian/pool/main/a/apt/apt_2.6.1_amd64.deb",
                "http://deb.debian.org/debian", "http://10.200.0.1:18080/debian/"))
                .isEqualTo("http://10.200.0.1:18080/debian/pool/main/a/apt/apt_2.6.1_amd64.deb");
        assertThat(PackageFetch.url("http://other.example/x.deb", "http://deb.debian.org/debian", "http://m/"))
                .isEqualTo("http://other.example/x.deb");
        // A build: the lock's mirror does not exist, the override has the files (beta's swapped: refused by
        // its sha256 — so both were fetched from the override).
        SystemImageDocument doc = manifest();
        Path alpha = deb("alpha", "1.0");
        String betaSha256 = Hashes.sha256(deb("beta", "1.0"));
        Path override = Files.createDirectories(tmp.resolve("override/pool"));
        Files.copy(alpha, override.resolve("alpha_1.0_all.deb"));
        Files.copy(alpha, override.resolve("beta_1.0_all.deb"));
        String gone = tmp.resolve("gone").toUri().toString().replaceAll("/$", "");
        PackageLock lock = new PackageLock();
        lock.layers.add(new PackageLock.LockedLayer("spec.layers[0]", PackageLock.inputSha256(
                doc.spec.layers.get(0).packages), "debian", "bookworm", "amd64", gone, null, List.of(
                new PackageLock.LockedPackage("alpha", "1.0", "all", "optional", Files.size(alpha),
                        Hashes.sha256(alpha), gone + "/pool/alpha_1.0_all.deb", null),
                new PackageLock.LockedPackage("beta", "1.0", "all", "optional", Files.size(alpha), betaSha256,
                        gone + "/pool/beta_1.0_all.deb", null))));
        lock.write(tmp.resolve("locked.lock.json"));
        assertThatThrownBy(() -> build(doc)).isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.layers[0].packages[alpha]");
        doc.packageMirror = tmp.resolve("override").toUri().toString();
        assertThatThrownBy(() -> build(doc)).isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.layers[0].packages[beta].sha256: locked package beta=1.0 (all): "
                        + "sha256 mismatch");
    }

    @Test
    void packageNamesAndFiltersAreChecked() {
        assertThatThrownBy(() -> Manifests.parse(MANIFEST.replace("[alpha, beta]", "[alpha, 'beta;rm']"), "x"))
                .isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.layers[0].packages.packages[1]: must be a package name");
        assertThatThrownBy(() -> Manifests.parse(MANIFEST.replace("packages: [alpha, beta]",
                "packages: [alpha], pathFilters: ['--force-all']"), "x"))
                .isInstanceOf(InputException.class)
                .hasMessageStartingWith("spec.layers[0].packages.pathFilters[0]: must be path-exclude=/GLOB");
    }

    @Test
    void theLockFileSitsBesideTheManifest() {
        assertThat(PackageLock.fileFor(Path.of("examples/debian-live.yaml")))
                .isEqualTo(Path.of("examples/debian-live.lock.json"));
    }

    private SystemImageDocument manifest() throws IOException {
        return manifest(MANIFEST);
    }

    private SystemImageDocument manifest(String text) throws IOException {
        Path file = tmp.resolve("locked.yaml");
        Files.writeString(file, text);
        return Manifests.read(file);
    }

    private void build(SystemImageDocument doc) throws IOException {
        Pipeline.build(doc, tmp, tmp.resolve("out"), BuildOptions.defaults(tmp.resolve("work")));
    }

    private void lock(String inputSha256, List<PackageLock.LockedPackage> packages) throws IOException {
        PackageLock lock = new PackageLock();
        lock.layers.add(new PackageLock.LockedLayer("spec.layers[0]", inputSha256, "debian", "bookworm", "amd64",
                "http://deb.debian.org/debian", null, packages));
        lock.write(tmp.resolve("locked.lock.json"));
    }

    private static PackageLock.LockedPackage locked(String name, Path file, String sha256) throws IOException {
        return new PackageLock.LockedPackage(name, "1.0", "all", "optional", Files.size(file), sha256,
                file.toUri().toString(), null);
    }

    /** A real binary package, made by dpkg-deb. */
    private Path deb(String name, String version) throws IOException {
        Path dir = tmp.resolve("src-" + name);
        Files.createDirectories(dir.resolve("DEBIAN"));
        Files.createDirectories(dir.resolve("usr/share/" + name));
        Files.writeString(dir.resolve("usr/share/" + name + "/README"), name + "\n");
        Files.writeString(dir.resolve("DEBIAN/control"), "Package: " + name + "\nVersion: " + version
                + "\nArchitecture: all\nMaintainer: Twinbuild <twinbuild@example.org>\nDescription: test package "
                + name + "\n");
        Path deb = tmp.resolve(name + "_" + version + "_all.deb");
        Commands.Result r = Commands.run(tmp, java.util.Map.of("SOURCE_DATE_EPOCH", "1700000000"),
                List.of("dpkg-deb", "--root-owner-group", "--build", dir.toString(), deb.toString()));
        assertThat(r.exit()).as(r.stderr()).isZero();
        return deb;
    }
}
