package dev.twinbuild.manifest;

import dev.twinbuild.api.v1alpha1.InlineFile;
import dev.twinbuild.api.v1alpha1.InlineFileType;
import dev.twinbuild.api.v1alpha1.Layer;
import dev.twinbuild.api.v1alpha1.Normalizer;
import dev.twinbuild.api.v1alpha1.Output;
import dev.twinbuild.api.v1alpha1.Patterns;
import dev.twinbuild.api.v1alpha1.Step;
import dev.twinbuild.api.v1alpha1.SystemImageSpec;
import dev.twinbuild.api.v1alpha1.Verification;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The same rules the CRD schema enforces in the API server, checked for the CLI, so that a manifest the
 * CLI accepts is one `kubectl apply` accepts too. Each error names the field.
 */
final class Validator {
    private static final Pattern SHA256 = Pattern.compile(Patterns.SHA256);
    private static final Pattern OCI = Pattern.compile(Patterns.OCI_DIGEST_REF);
    private static final Pattern MODE = Pattern.compile(Patterns.MODE);
    private static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$");

    private Validator() {
    }

    static List<String> validate(SystemImageDocument doc) {
        List<String> e = new ArrayList<>();
        if (!SystemImageDocument.API_VERSION.equals(doc.apiVersion)) {
            e.add("apiVersion: must be " + SystemImageDocument.API_VERSION);
        }
        if (!SystemImageDocument.KIND.equals(doc.kind)) {
            e.add("kind: must be " + SystemImageDocument.KIND);
        }
        if (doc.metadata == null || doc.metadata.name == null || !NAME.matcher(doc.metadata.name).matches()) {
            e.add("metadata.name: required, a DNS subdomain name (lowercase letters, digits, '-', '.')");
        }
        SystemImageSpec s = doc.spec;
        if (s == null) {
            e.add("spec: required");
            return e;
        }
        Bounds.check(s, "spec", e);
        if (s.sourceDateEpoch == null || s.sourceDateEpoch < 0) {
            e.add("spec.sourceDateEpoch: required, seconds since the epoch (>= 0)");
        }
        if (s.layers == null || s.layers.isEmpty()) {
            e.add("spec.layers: at least one layer is required");
        } else if (s.layers.size() > 256) {
            e.add("spec.layers: at most 256 layers");
        } else {
            for (int i = 0; i < s.layers.size(); i++) {
                layer(s.layers.get(i), "spec.layers[" + i + "]", e);
            }
        }
        if (s.steps != null) {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < s.steps.size(); i++) {
                Step st = s.steps.get(i);
                String f = "spec.steps[" + i + "]";
                if (st == null || st.name == null || !st.name.matches("^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$")) {
                    e.add(f + ".name: required, lowercase letters, digits, '-', '_', '.'");
                } else if (!names.add(st.name)) {
                    e.add(f + ".name: duplicate step name '" + st.name + "'");
                }
                if (st != null && (st.run == null || st.run.isBlank())) {
                    e.add(f + ".run: required");
                }
            }
        }
        globs(s.exclude, "spec.exclude", e);
        globs(s.emptyFiles, "spec.emptyFiles", e);
        if (s.normalize != null) {
            for (int i = 0; i < s.normalize.size(); i++) {
                Normalizer n = s.normalize.get(i);
                if (n.type == null) {
                    e.add("spec.normalize[" + i + "].type: required");
                }
                if (n.paths == null || n.paths.isEmpty()) {
                    e.add("spec.normalize[" + i + "].paths: at least one glob is required");
                }
                globs(n.paths, "spec.normalize[" + i + "].paths", e);
            }
        }
        if (s.outputs == null || s.outputs.isEmpty()) {
            e.add("spec.outputs: at least one output is required");
        } else {
            Set<String> files = new HashSet<>();
            for (int i = 0; i < s.outputs.size(); i++) {
                Output o = s.outputs.get(i);
                if (o.format == null) {
                    e.add("spec.outputs[" + i + "].format: required");
                    continue;
                }
                for (String file : o.fileNames(doc.name())) {
                    if (!files.add(file)) {
                        e.add("spec.outputs[" + i + "].name: two outputs would both be written to " + file);
                    }
                }
                if (o.level != null && o.format.value().endsWith("gz") && o.level > 9) {
                    e.add("spec.outputs[" + i + "].level: gzip levels are 1-9");
                }
                FormatOptions.validate(o, "spec.outputs[" + i + "]", e);
            }
        }
        PackagesValidator.lockRef(s, e);
        Verification v = s.verification;
        if (v != null) {
            if (v.builds != null && (v.builds < 2 || v.builds > 8)) {
                e.add("spec.verification.builds: must be between 2 and 8");
            }
            if (v.timeoutSeconds != null && v.timeoutSeconds < 60) {
                e.add("spec.verification.timeoutSeconds: must be at least 60");
            }
            dev.twinbuild.verify.VerificationSchedule.validate(v, e);
        }
        return e;
    }

    private static void layer(Layer l, String f, List<String> e) {
        if (l == null) {
            e.add(f + ": empty layer");
            return;
        }
        int set = (l.tar != null ? 1 : 0) + (l.oci != null ? 1 : 0) + (l.files != null ? 1 : 0)
                + (l.packages != null ? 1 : 0);
        if (set != 1) {
            e.add(f + ": a layer needs exactly one of tar, oci, files or packages");
            return;
        }
        if (l.packages != null) {
            PackagesValidator.validate(l.packages, f + ".packages", e);
            return;
        }
        if (l.tar != null) {
            if (l.tar.url == null || l.tar.url.isBlank()) {
                e.add(f + ".tar.url: required");
            }
            if (l.tar.sha256 == null) {
                e.add(f + ".tar.sha256: required: unpinned inputs are refused");
            } else if (!SHA256.matcher(l.tar.sha256).matches()) {
                e.add(f + ".tar.sha256: must be 64 lowercase hex characters");
            }
        } else if (l.oci != null) {
            if (l.oci.image == null || !OCI.matcher(l.oci.image).matches()) {
                e.add(f + ".oci.image: must be registry/repository@sha256:<64 hex> (tags are refused: unpinned)");
            }
        } else {
            Set<String> paths = new HashSet<>();
            for (int j = 0; j < l.files.size(); j++) {
                inline(l.files.get(j), f + ".files[" + j + "]", paths, e);
            }
        }
    }

    private static void inline(InlineFile file, String f, Set<String> paths, List<String> e) {
        if (file.path == null || !file.path.startsWith("/") || file.path.equals("/")) {
            e.add(f + ".path: required, an absolute path below /");
        } else if (!paths.add(file.path)) {
            e.add(f + ".path: duplicate path " + file.path);
        } else {
            for (String part : file.path.split("/")) {
                if (part.equals("..") || part.equals(".")) {
                    e.add(f + ".path: '.' and '..' are not allowed");
                    break;
                }
            }
            if (file.path.indexOf('\0') >= 0) {
                e.add(f + ".path: NUL byte in path");
            }
        }
        if (file.mode != null && !MODE.matcher(file.mode).matches()) {
            e.add(f + ".mode: must be octal like \"0644\"");
        }
        if (file.uid != null && file.uid < 0 || file.gid != null && file.gid < 0) {
            e.add(f + ".uid/gid: must be >= 0");
        }
        InlineFileType t = file.typeOrDefault();
        if (t == InlineFileType.symlink && (file.target == null || file.target.isEmpty())) {
            e.add(f + ".target: required for a symlink");
        }
        if (t != InlineFileType.symlink && file.target != null) {
            e.add(f + ".target: only for type symlink");
        }
        if (t != InlineFileType.file && file.content != null) {
            e.add(f + ".content: only for type file");
        }
    }

    private static void globs(List<String> globs, String f, List<String> e) {
        if (globs == null) {
            return;
        }
        for (int i = 0; i < globs.size(); i++) {
            String g = globs.get(i);
            if (g == null || !g.startsWith("/")) {
                e.add(f + "[" + i + "]: must be an absolute glob starting with /");
            }
        }
    }
}
