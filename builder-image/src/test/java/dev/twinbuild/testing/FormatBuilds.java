package dev.twinbuild.testing;

import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildOptions.DirOrder;
import dev.twinbuild.pipeline.BuildResult;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TimeZone;
import java.util.TreeMap;

/**
 * Double builds for the filesystem and image formats: one reference build, and one where everything the
 * pipeline can vary in-process varies at once — the input tar lists its entries in another order, directories
 * are read in reverse, another thread count, a deeper build path, another time zone, locale and user name, and a
 * later wall clock (the second build starts over a second after the first).
 */
public final class FormatBuilds {
    /** A file larger than one squashfs block and one gzip block, the same bytes every time. */
    public static final byte[] BIG = big();
    public static final String ODD_NAME = "etc/with space \"quoted\" 'single' *glob?[x] \\back";
    public static final String LONG_TARGET = "../share/" + "a-symlink-target-longer-than-sixty-bytes/".repeat(2) + "x";

    public record Pair(BuildResult reference, BuildResult varied, Path referenceOut, Path variedOut) {
        public Map<String, String> referenceDigests() {
            return Builds.digests(reference);
        }

        public Map<String, String> variedDigests() {
            return Builds.digests(varied);
        }
    }

    private FormatBuilds() {
    }

    private static byte[] big() {
        byte[] b = new byte[300_000];
        Random r = new Random(42);
        for (int i = 0; i < b.length; i++) {
            // Compressible but not trivially: words from a small alphabet.
            b[i] = (byte) ("abcdefgh \n".charAt(r.nextInt(10)));
        }
        return b;
    }

    /**
     * The test tree: odd names (spaces, quotes, glob characters, backslash, non-ASCII), a hardlink, short and
     * long symlinks, a setuid file, other owners, a FIFO, an empty file, a big file, a time after
     * SOURCE_DATE_EPOCH (clamped) and one before; with {@code devices}, a character and a block device.
     */
    public static byte[] tree(boolean reversed, boolean devices) {
        Tars t = new Tars();
        Runnable[] steps = {
            () -> t.dir("etc/", 0755),
            () -> t.file("etc/a", "alpha\n"),
            () -> t.file(ODD_NAME, "odd\n"),
            () -> t.file("etc/ıİ-ünïcode", "x\n"),
            () -> t.file("etc/empty", ""),
            // A hardlink must follow its file: reversed, the other name carries the content.
            () -> {
                if (reversed) {
                    t.file("etc/link-second", "shared\n").hardlink("etc/link-first", "etc/link-second");
                } else {
                    t.file("etc/link-first", "shared\n").hardlink("etc/link-second", "etc/link-first");
                }
            },
            () -> t.dir("usr/", 0755),
            () -> t.dir("usr/bin/", 0755),
            () -> t.file("usr/bin/tool", "#!/bin/sh\n", 0755, 0, 0, 1_600_000_000L),
            () -> t.file("usr/bin/su", "setuid\n", 04755, 0, 0, 1_600_000_000L),
            () -> t.dir("usr/lib/", 0755),
            () -> t.symlink("usr/lib/long", LONG_TARGET),
            () -> t.file("usr/share/big", new String(BIG, StandardCharsets.ISO_8859_1), 0644, 0, 0, 1_650_000_000L),
            () -> t.symlink("bin", "usr/bin"),
            () -> t.dir("home/", 0755),
            () -> t.file("home/user/.profile", "PS1='$ '\n", 0600, 1000, 1000, 1_600_000_000L),
            () -> t.dir("run/", 0755),
            () -> t.fifo("run/initctl", 0600),
            () -> t.file("future", "from the future\n", 0644, 1000, 1000, 4_000_000_000L),
        };
        if (reversed) {
            for (int i = steps.length - 1; i >= 0; i--) {
                steps[i].run();
            }
        } else {
            for (Runnable s : steps) {
                s.run();
            }
        }
        if (devices) {
            t.dir("dev/", 0755).device("dev/null", 1, 3).blockDevice("dev/loop0", 7, 0);
        }
        return t.bytes();
    }

    /** A manifest with the test tree as its only layer (plus {@code extraLayers}, YAML list items). */
    public static String manifest(String layerSha, String outputs, boolean devices, String extraLayers) {
        return """
                apiVersion: twinbuild.dev/v1alpha1
                kind: SystemImage
                metadata: {name: t}
                spec:
                  sourceDateEpoch: 1700000000
                  allowDevices: %s
                  layers:
                    - tar: {url: layer.tar, sha256: "%s"}
                %s
                  outputs: %s
                """.formatted(devices, layerSha, extraLayers.indent(4).stripTrailing(), outputs);
    }

    public static Pair build(Path tmp, String outputs, boolean devices) throws IOException {
        return build(tmp, outputs, devices, "");
    }

    public static Pair build(Path tmp, String outputs, boolean devices, String extraLayers) throws IOException {
        Path refIn = tmp.resolve("ref-in");
        String sha1 = Builds.input(refIn, "layer.tar", tree(false, devices));
        Path refWork = tmp.resolve("ref");
        BuildOptions ref = new BuildOptions(refWork.resolve("work"), refWork.resolve("cache"), 0, DirOrder.NATURAL,
                1, null, new TreeMap<>());
        BuildResult reference = Builds.build(manifest(sha1, outputs, devices, extraLayers), refIn, refWork, ref);

        Path varIn = tmp.resolve("var-in");
        String sha2 = Builds.input(varIn, "layer.tar", tree(true, devices));
        Path varWork = tmp.resolve("a/much/deeper/build path/than before");
        BuildOptions varied = new BuildOptions(varWork.resolve("work"), varWork.resolve("cache"), 0,
                DirOrder.REVERSE, 2, null, new TreeMap<>());
        TimeZone zone = TimeZone.getDefault();
        Locale locale = Locale.getDefault();
        String user = System.getProperty("user.name");
        try {
            Thread.sleep(1100);
            TimeZone.setDefault(TimeZone.getTimeZone("GMT-14"));
            Locale.setDefault(new Locale("tr", "TR"));
            System.setProperty("user.name", "somebody-else");
            BuildResult v = Builds.build(manifest(sha2, outputs, devices, extraLayers), varIn, varWork, varied);
            return new Pair(reference, v, refWork.resolve("out"), varWork.resolve("out"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            TimeZone.setDefault(zone);
            Locale.setDefault(locale);
            System.setProperty("user.name", user);
        }
    }
}
