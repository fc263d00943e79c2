package dev.twinbuild.pipeline.determinism;

import dev.twinbuild.pipeline.BuildOptions;
import dev.twinbuild.pipeline.BuildOptions.DirOrder;
import dev.twinbuild.testing.Builds;
import dev.twinbuild.testing.Tars;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same tree must give the same bytes whatever varies around the build: input order, directory read
 * order, threads, time zone, locale, user, build path, clock. Each test varies one thing.
 */
class DeterminismTest {
    private static final String ALL_FORMATS = "[{format: tar}, {format: tar.gz}, {format: tar.zst}, {format: cpio.gz}]";

    @TempDir
    Path tmp;
    private TimeZone zone;
    private Locale locale;
    private String user;

    @BeforeEach
    void save() {
        zone = TimeZone.getDefault();
        locale = Locale.getDefault();
        user = System.getProperty("user.name");
    }

    @AfterEach
    void restore() {
        TimeZone.setDefault(zone);
        Locale.setDefault(locale);
        System.setProperty("user.name", user);
    }

    private static byte[] tree(boolean reversed) {
        Tars t = new Tars();
        if (!reversed) {
            t.dir("etc/", 0755).file("etc/a", "alpha\n").file("etc/b", "beta\n").dir("usr/", 0755)
                    .dir("usr/bin/", 0755).file("usr/bin/tool", "#!/bin/sh\n", 0755, 0, 0, 1_600_000_000L)
                    .symlink("bin", "usr/bin").file("etc/ıİ-ünïcode", "x\n").file("etc/link-first", "shared\n")
                    .hardlink("etc/link-second", "etc/link-first")
                    .file("future", "from the future\n", 0644, 1000, 1000, 4_000_000_000L);
        } else {
            t.file("future", "from the future\n", 0644, 1000, 1000, 4_000_000_000L)
                    .file("etc/link-second", "shared\n").hardlink("etc/link-first", "etc/link-second")
                    .dir("usr/bin/", 0755).symlink("bin", "usr/bin")
                    .file("usr/bin/tool", "#!/bin/sh\n", 0755, 0, 0, 1_600_000_000L).dir("usr/", 0755)
                    .file("etc/ıİ-ünïcode", "x\n").file("etc/b", "beta\n").file("etc/a", "alpha\n").dir("etc/", 0755);
        }
        return t.bytes();
    }

    private Map<String, String> build(String name, boolean reversed, BuildOptions options) throws IOException {
        Path in = tmp.resolve(name + "-in");
        String sha = Builds.input(in, "layer.tar", tree(reversed));
        return Builds.digests(Builds.build(Builds.tarManifest("layer.tar", sha, ALL_FORMATS), in,
                tmp.resolve(name), options));
    }

    private BuildOptions options(String name) {
        return BuildOptions.defaults(tmp.resolve(name).resolve("work"));
    }

    private Map<String, String> reference() throws IOException {
        return build("reference", false, options("reference"));
    }

    @Test
    void entryOrderOfTheInputDoesNotMatter() throws IOException {
        assertThat(build("reversed", true, options("reversed"))).isEqualTo(reference());
    }

    @Test
    void directoryReadOrderDoesNotMatter() throws IOException {
        BuildOptions o = options("order");
        BuildOptions reverse = new BuildOptions(o.workDir(), o.cacheDir(), 0, DirOrder.REVERSE, o.threads(), null,
                new TreeMap<>());
        assertThat(build("order", false, reverse)).isEqualTo(reference());
    }

    @Test
    void threadCountDoesNotMatter() throws IOException {
        BuildOptions o = options("threads");
        for (int threads : new int[]{1, 3}) {
            BuildOptions t = new BuildOptions(o.workDir(), o.cacheDir(), 0, DirOrder.NATURAL, threads, null,
                    new TreeMap<>());
            assertThat(build("threads" + threads, false, t)).as("threads=" + threads).isEqualTo(reference());
        }
    }

    @Test
    void timeZoneDoesNotLeak() throws IOException {
        Map<String, String> ref = reference();
        TimeZone.setDefault(TimeZone.getTimeZone("GMT-14"));
        assertThat(build("tz", false, options("tz"))).isEqualTo(ref);
    }

    @Test
    void localeDoesNotLeak() throws IOException {
        Map<String, String> ref = reference();
        Locale.setDefault(new Locale("tr", "TR")); // dotless i: the classic toUpperCase/toLowerCase trap
        assertThat(build("locale", false, options("locale"))).isEqualTo(ref);
    }

    @Test
    void userNameDoesNotLeak() throws IOException {
        Map<String, String> ref = reference();
        System.setProperty("user.name", "somebody-else");
        assertThat(build("user", false, options("user"))).isEqualTo(ref);
    }

    @Test
    void buildPathDoesNotLeak() throws IOException {
        Map<String, String> ref = reference();
        BuildOptions deep = BuildOptions.defaults(tmp.resolve("a/much/deeper/build/path/than/before"));
        assertThat(build("path", false, deep)).isEqualTo(ref);
    }

    @Test
    void stepsRunningAtAnotherTimeGiveTheSameBytesWhenTheyAreDeterministic() throws IOException {
        String yaml = """
                apiVersion: twinbuild.dev/v1alpha1
                kind: SystemImage
                metadata: {name: steps}
                spec:
                  sourceDateEpoch: 1700000000
                  layers:
                    - files: [{path: /etc/os-release, content: "ID=t\\n"}]
                  steps:
                    - name: write
                      run: |
                        mkdir -p "$ROOTFS/usr/share/t"
                        echo "epoch $SOURCE_DATE_EPOCH" > "$ROOTFS/usr/share/t/info"
                        ln -s info "$ROOTFS/usr/share/t/info.link"
                  outputs: %s
                """.formatted(ALL_FORMATS);
        Path w1 = tmp.resolve("s1");
        Path w2 = tmp.resolve("s2");
        BuildOptions shifted = new BuildOptions(w2.resolve("work"), w2.resolve("cache"), 400L * 86400,
                DirOrder.REVERSE, 1, 1, new TreeMap<>());
        assertThat(Builds.digests(Builds.build(yaml, tmp, w2, shifted)))
                .isEqualTo(Builds.digests(Builds.build(yaml, tmp, w1)));
    }
}
