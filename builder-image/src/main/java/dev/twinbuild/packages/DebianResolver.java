package dev.twinbuild.packages;

import dev.twinbuild.api.v1alpha1.PackagesLayer;
import dev.twinbuild.pipeline.BuildException;
import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.pipeline.tree.Rootfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a Debian packages layer with apt itself, in a private APT directory (its own sources, keyring,
 * empty dpkg status: nothing of the host's APT setup counts): {@code apt-get update} against the mirror
 * (signatures checked with the Debian archive keyring), {@code apt-get install --simulate} of the variant's
 * set and the layer's packages into an empty system, then the index's SHA-256, size and file name of each.
 */
public final class DebianResolver {
    static final String KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
    private static final Pattern INST = Pattern.compile("^Inst (\\S+) \\((\\S+) .*\\[(\\S+)\\]\\)", Pattern.MULTILINE);
    private static final DateTimeFormatter RELEASE_DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss z",
            Locale.ROOT);
    private static final DateTimeFormatter SNAPSHOT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'",
            Locale.ROOT);

    private DebianResolver() {
    }

    public static PackageLock.LockedLayer resolve(PackagesLayer layer, String field, Path work) throws IOException {
        Path apt = work.resolve("apt");
        Rootfs.deleteTree(apt);
        for (String d : List.of("etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/sources.list.d",
                "etc/apt/trusted.gpg.d", "var/lib/apt/lists/partial", "var/cache/apt/archives/partial",
                "var/lib/dpkg", "log")) {
            Files.createDirectories(apt.resolve(d));
        }
        Files.writeString(apt.resolve("var/lib/dpkg/status"), "");
        String arch = layer.architectureOrDefault();
        String mirror = layer.mirrorOrDefault().replaceAll("/+$", "");
        String keyring = Files.isRegularFile(Path.of(KEYRING)) ? " signed-by=" + KEYRING : "";
        if (keyring.isEmpty()) {
            throw new BuildException("ToolMissing", KEYRING + " not found: install the Debian package "
                    + "debian-archive-keyring (the mirror's signatures are checked with it)");
        }
        Files.writeString(apt.resolve("etc/apt/sources.list"), "deb [arch=" + arch + keyring + "] " + mirror + " "
                + layer.suite + " " + String.join(" ", layer.componentsOrDefault()) + "\n");
        Path conf = apt.resolve("apt.conf");
        Files.writeString(conf, String.join("\n",
                "Dir \"" + apt + "/\";",
                "Dir::State::status \"" + apt.resolve("var/lib/dpkg/status") + "\";",
                "Dir::Log \"" + apt.resolve("log") + "\";",
                "APT::Architecture \"" + arch + "\";",
                "APT::Architectures { \"" + arch + "\"; };",
                "APT::Install-Recommends \"false\";",
                "APT::Install-Suggests \"false\";",
                "APT::Sandbox::User \"" + System.getProperty("user.name") + "\";",
                "Acquire::Languages \"none\";",
                "Acquire::Retries \"3\";", "") + "\n");
        Map<String, String> env = Map.of("APT_CONFIG", conf.toString(), "DEBIAN_FRONTEND", "noninteractive");
        Path aptGet = Tool.find("apt-get", "apt");
        try {
            Tool.run("ResolveFailed", List.of(aptGet.toString(), "update", "-q"), env, work, null);
        } catch (BuildException e) {
            throw new InputException(field + ".packages.mirror", "apt-get update against " + mirror + " "
                    + layer.suite + " failed: " + e.getMessage(), e);
        }
        List<String> install = new ArrayList<>(List.of(aptGet.toString(), "install", "--simulate", "-q", "-y",
                "--no-install-recommends"));
        install.addAll(seed(layer));
        install.addAll(layer.packages);
        String simulated;
        try {
            simulated = Tool.run("ResolveFailed", install, env, work, null);
        } catch (BuildException e) {
            throw new InputException(field + ".packages.packages", "apt cannot resolve the package set: "
                    + e.getMessage(), e);
        }
        Map<String, String[]> chosen = new TreeMap<>();
        Matcher m = INST.matcher(simulated);
        while (m.find()) {
            chosen.put(m.group(1), new String[]{m.group(2), m.group(3)});
        }
        if (chosen.isEmpty()) {
            throw new InputException(field + ".packages", "apt resolved no packages:\n" + Tool.tail(simulated));
        }
        List<String> show = new ArrayList<>(List.of(Tool.find("apt-cache", "apt").toString(), "show", "-q",
                "--no-all-versions"));
        chosen.forEach((name, v) -> show.add(name + "=" + v[0]));
        String snapshot = snapshotTime(apt.resolve("var/lib/apt/lists"));
        String archive = mirror.substring(mirror.lastIndexOf('/') + 1);
        boolean snapshotted = List.of("debian", "debian-security", "debian-ports").contains(archive);
        List<PackageLock.LockedPackage> packages = new ArrayList<>();
        for (Map<String, String> s : Deb822.parse(Tool.run("ResolveFailed", show, env, work, null))) {
            String name = s.get("Package");
            String[] want = chosen.get(name);
            if (want == null || !want[0].equals(s.get("Version")) || s.get("SHA256") == null) {
                continue;
            }
            String file = s.get("Filename");
            packages.add(new PackageLock.LockedPackage(name, s.get("Version"), s.get("Architecture"),
                    s.get("Priority"), Long.parseLong(s.get("Size")), s.get("SHA256"), mirror + "/" + file,
                    snapshotted && snapshot != null ? "http://snapshot.debian.org/archive/" + archive + "/"
                            + snapshot + "/" + file : null));
            chosen.remove(name);
        }
        if (!chosen.isEmpty()) {
            throw new BuildException("ResolveFailed", "apt-cache show gave no SHA256 for " + chosen.keySet());
        }
        packages.sort(Comparator.comparing(PackageLock.LockedPackage::name));
        return new PackageLock.LockedLayer(field, PackageLock.inputSha256(layer), "debian", layer.suite, arch,
                mirror, snapshot, packages);
    }

    /** What mmdebstrap installs for the variant before the layer's own packages. */
    static List<String> seed(PackagesLayer layer) {
        List<String> s = new ArrayList<>(List.of("?essential"));
        switch (layer.variantOrDefault()) {
            case essential -> {
            }
            case apt -> s.add("apt");
            case required, minbase -> s.addAll(List.of("?priority(required)", "apt"));
            case important -> s.addAll(List.of("?priority(required)", "?priority(important)", "apt"));
            case standard -> s.addAll(List.of("?priority(required)", "?priority(important)",
                    "?priority(standard)", "apt"));
        }
        return s;
    }

    /**
     * A snapshot.debian.org time that holds the packages of this index: a day after its Date, since the
     * archive is imported a few hours after each publication (a time in the future resolves to the newest).
     */
    private static String snapshotTime(Path lists) throws IOException {
        try (var files = Files.list(lists)) {
            for (Path p : (Iterable<Path>) files.sorted()::iterator) {
                if (!p.getFileName().toString().endsWith("Release")) {
                    continue;
                }
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    if (line.startsWith("Date: ")) {
                        ZonedDateTime t = ZonedDateTime.parse(line.substring(6).strip(), RELEASE_DATE);
                        return SNAPSHOT.format(t.plus(Duration.ofDays(1)).withZoneSameInstant(java.time.ZoneOffset.UTC));
                    }
                }
            }
        }
        return null;
    }
}
