package dev.twinbuild.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
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
