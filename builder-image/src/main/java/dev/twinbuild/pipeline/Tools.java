package dev.twinbuild.pipeline;

import dev.twinbuild.api.v1alpha1.Output;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Versions of what a build ran with, for the build record. */
public final class Tools {
    private Tools() {
    }

    public static String twinbuildVersion() {
        Properties p = new Properties();
        try (InputStream in = Tools.class.getResourceAsStream("/dev/twinbuild/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }

    static void versions(Map<String, String> tools, boolean steps) {
        tools.put("twinbuild", twinbuildVersion());
        tools.put("java", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.version"));
        tools.put("commons-compress", pkgVersion(org.apache.commons.compress.archivers.tar.TarArchiveEntry.class));
        tools.put("zstd-jni", pkgVersion(com.github.luben.zstd.Zstd.class));
        if (steps) {
            tools.put("bwrap", command("/usr/bin/bwrap", "--version"));
        }
    }

    /** Versions of what installs packages layers, from Debian's package database. */
    public static void packageVersions(Map<String, String> tools) {
        debianVersions(List.of("mmdebstrap", "fakechroot", "fakeroot", "apt", "dpkg"))
                .forEach((p, v) -> tools.put(p, "Debian " + p + " " + v));
    }

    /** The native tools the outputs run, when they do: their own version line and the Debian package's version. */
    static void formatVersions(Map<String, String> tools, List<Output> outputs) {
        Map<String, String[]> used = new TreeMap<>(); // tool -> {Debian package, version flag}
        for (Output o : outputs) {
            switch (o.format) {
                case SQUASHFS -> {
                    used.put("mksquashfs", new String[]{"squashfs-tools", "-version"});
                    used.put("fakeroot", new String[]{"fakeroot", "--version"});
                }
                case EXT4 -> {
                    used.put("mkfs.ext4", new String[]{"e2fsprogs", "-V"});
                    used.put("debugfs", new String[]{"e2fsprogs", "-V"});
                }
                case ISO -> {
                    used.put("xorriso", new String[]{"xorriso", "-version"});
                    if (o.boot != null && o.boot.efiDirectory != null) { // the ESP (EspImage)
                        used.put("mkfs.fat", new String[]{"dosfstools", null}); // no version flag that exits 0
                        used.put("mcopy", new String[]{"mtools", "--version"});
                    }
                }
                default -> {
                }
            }
        }
        if (used.isEmpty()) {
            return;
        }
        Map<String, String> debian = debianVersions(used.values().stream().map(u -> u[0]).distinct().toList());
        used.forEach((tool, u) -> {
            String path = null;
            for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
                if (Files.isExecutable(Path.of(dir, tool))) {
                    path = dir + "/" + tool;
                    break;
                }
            }
            String deb = debian.get(u[0]);
            if (u[1] == null) {
                tools.put(tool, path == null ? "absent" : deb == null ? "unknown" : "Debian " + u[0] + " " + deb);
                return;
            }
            String v = path == null ? "absent" : command(path, u[1]);
            tools.put(tool, deb == null ? v : v + " (Debian " + u[0] + " " + deb + ")");
        });
    }

    /** Installed versions of Debian packages, in one dpkg-query; empty where dpkg is not there. */
    private static Map<String, String> debianVersions(List<String> packages) {
        Map<String, String> versions = new TreeMap<>();
        List<String> cmd = new ArrayList<>(List.of("dpkg-query", "-W", "-f=${Package} ${Version}\\n"));
        cmd.addAll(packages);
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            for (String line : out.split("\n")) {
                String[] f = line.strip().split(" ", 2);
                if (f.length == 2 && !f[1].isEmpty()) {
                    versions.put(f[0], f[1]);
                }
            }
        } catch (IOException e) {
            return versions;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return versions;
    }

    private static String pkgVersion(Class<?> c) {
        String v = c.getPackage().getImplementationVersion();
        return v != null ? v : "unknown";
    }

    /** First line a tool prints about its version, or "absent". */
    public static String command(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "absent";
            }
            int nl = out.indexOf('\n');
            return nl < 0 ? out : out.substring(0, nl);
        } catch (IOException e) {
            return "absent";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "absent";
        }
    }
}
