package dev.twinbuild.manifest;

import dev.twinbuild.api.v1alpha1.PackageLockRef;
import dev.twinbuild.api.v1alpha1.PackagesLayer;
import dev.twinbuild.api.v1alpha1.SystemImageSpec;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks a packages layer; every string here ends up on an apt or dpkg command line. */
final class PackagesValidator {
    static final Pattern SUITE = Pattern.compile("^[a-z0-9][a-z0-9.+-]{0,63}$");
    static final Pattern MIRROR = Pattern.compile("^https?://[^\\s\"'\\\\]+$");
    static final Pattern COMPONENT = Pattern.compile("^[a-z0-9-]{1,32}$");
    static final Pattern ARCH = Pattern.compile("^[a-z0-9]{1,16}$");
    static final Pattern PACKAGE = Pattern.compile("^[a-z0-9][a-z0-9.+-]{0,127}$");
    static final Pattern SHA256 = Pattern.compile(dev.twinbuild.api.v1alpha1.Patterns.SHA256);
    static final Pattern PATH_FILTER = Pattern.compile("^path-(exclude|include)=/[^\\s]*$");

    private PackagesValidator() {
    }

    static void validate(PackagesLayer p, String f, List<String> e) {
        if (p.suite == null || !SUITE.matcher(p.suite).matches()) {
            e.add(f + ".suite: required, a suite or codename like bookworm");
        }
        if (p.mirror != null && !MIRROR.matcher(p.mirror).matches()) {
            e.add(f + ".mirror: must be an http(s):// URL");
        }
        if (p.architecture != null && !ARCH.matcher(p.architecture).matches()) {
            e.add(f + ".architecture: must be a Debian architecture name like amd64");
        }
        each(p.components, COMPONENT, f + ".components", "an archive component like main", e);
        each(p.packages, PACKAGE, f + ".packages", "a package name", e);
        each(p.pathFilters, PATH_FILTER, f + ".pathFilters", "path-exclude=/GLOB or path-include=/GLOB", e);
        if (p.packages != null && p.packages.size() > 1024) {
            e.add(f + ".packages: at most 1024 packages");
        }
    }

    /** spec.packageLock: only with a packages layer; a ConfigMap name and key as Kubernetes has them. */
    static void lockRef(SystemImageSpec s, List<String> e) {
        PackageLockRef r = s.packageLock;
        if (r == null) {
            return;
        }
        if (s.layers == null || s.layers.stream().noneMatch(l -> l != null && l.packages != null)) {
            e.add("spec.packageLock: there is no packages layer to lock");
        }
        if (r.sha256 == null || !SHA256.matcher(r.sha256).matches()) {
            e.add("spec.packageLock.sha256: required, the SHA-256 of the lock file (64 lowercase hex characters)");
        }
        if (r.configMapRef != null) {
            if (r.configMapRef.name == null || r.configMapRef.name.length() > 253
                    || !Pattern.matches(PackageLockRef.NAME, r.configMapRef.name)) {
                e.add("spec.packageLock.configMapRef.name: required, a ConfigMap name");
            }
            if (r.configMapRef.key == null || r.configMapRef.key.length() > 253
                    || !Pattern.matches(PackageLockRef.KEY, r.configMapRef.key)) {
                e.add("spec.packageLock.configMapRef.key: required, a ConfigMap key ([-._a-zA-Z0-9]+)");
            }
        }
    }

    private static void each(List<String> values, Pattern pattern, String f, String what, List<String> e) {
        if (values == null) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (v == null || !pattern.matcher(v).matches()) {
                e.add(f + "[" + i + "]: must be " + what);
            } else if (!seen.add(v)) {
                e.add(f + "[" + i + "]: duplicate '" + v + "'");
            }
        }
    }
}
