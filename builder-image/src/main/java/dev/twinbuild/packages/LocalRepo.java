package dev.twinbuild.packages;

import dev.twinbuild.pipeline.Hashes;
import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * A flat APT repository holding exactly the locked package files (verified by SHA-256 before), so that apt
 * inside mmdebstrap can choose nothing else. Each file's own control data must name the package the lock
 * says it is: a file swapped for another package's is refused even when its hash is in the cache.
 */
final class LocalRepo {
    private LocalRepo() {
    }

    /** @param files the verified cache file of each locked package, in the lock's order */
    static void create(PackageLock.LockedLayer layer, Map<PackageLock.LockedPackage, Path> files, Path repo,
                       String field) throws IOException {
        Files.createDirectories(repo);
        String dpkgDeb = Tool.find("dpkg-deb", "dpkg").toString();
        StringBuilder index = new StringBuilder();
        for (PackageLock.LockedPackage p : layer.packages()) {
            Path cached = files.get(p);
            String control = Tool.run("RepoFailed", List.of(dpkgDeb, "--field", cached.toString()), Map.of(),
                    repo, null);
            Map<String, String> c = Deb822.parse(control).stream().findFirst().orElse(Map.of());
            if (!p.name().equals(c.get("Package")) || !p.version().equals(c.get("Version"))
                    || !p.architecture().equals(c.get("Architecture"))) {
                throw new InputException(field + ".packages", "locked package " + p.id() + ": the file pinned by "
                        + "sha256 " + p.sha256() + " is " + c.get("Package") + "=" + c.get("Version") + " ("
                        + c.get("Architecture") + "), not " + p.name() + ": the lock names the wrong file");
            }
            String name = p.name() + "_" + p.version().replace(":", "%3a") + "_" + p.architecture() + ".deb";
            Path target = repo.resolve(name);
            try {
                Files.createLink(target, cached);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(cached, target, StandardCopyOption.REPLACE_EXISTING);
            }
            // The index's priority overrides the file's, as in the archive: variants select by it.
            String stanza = control.strip().replaceAll("(?m)^Priority:.*\n?", "");
            index.append(stanza).append('\n')
                    .append(p.priority() != null ? "Priority: " + p.priority() + "\n" : "")
                    .append("Filename: ./").append(name).append('\n')
                    .append("Size: ").append(p.size()).append('\n')
                    .append("SHA256: ").append(p.sha256()).append("\n\n");
        }
        byte[] packages = index.toString().getBytes(StandardCharsets.UTF_8);
        Files.write(repo.resolve("Packages"), packages);
        Files.writeString(repo.resolve("Release"), "Suite: " + layer.suite() + "\nCodename: " + layer.suite()
                + "\nArchitectures: " + layer.architecture() + " all\nSHA256:\n " + Hashes.sha256(packages) + " "
                + packages.length + " Packages\n");
    }
}
