package dev.twinbuild.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tools a test needs. .ci/setup.sh installs them all, so on CI (CI=true) a missing one is a broken
 * set-up and the test fails; on a developer's machine it is skipped with the reason.
 */
public final class Required {
    private Required() {
    }

    public static void tools(String... names) {
        for (String name : names) {
            if (path(name) == null) {
                missing(name + " not found on PATH (installed by .ci/setup.sh)");
            }
        }
    }

    public static void missing(String what) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(what + " (CI=true: tests must run, not skip)");
        }
        Assumptions.assumeTrue(false, what);
    }

    public static Path path(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : new String[]{"/usr/sbin", "/sbin", "/usr/bin"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
