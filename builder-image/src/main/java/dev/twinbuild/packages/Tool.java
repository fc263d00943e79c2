package dev.twinbuild.packages;

import dev.twinbuild.pipeline.BuildException;
import dev.twinbuild.pipeline.emit.NativeTool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs apt, dpkg and mmdebstrap with an environment of their own; stdout returned, stderr in the error. */
final class Tool {
    static final String PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

    private Tool() {
    }

    static Path find(String name, String debianPackage) {
        return NativeTool.find(name, debianPackage);
    }

    /**
     * @param log where stdout and stderr go instead of being returned (null: stdout returned, stderr kept for
     *            the error)
     */
    static String run(String reason, List<String> cmd, Map<String, String> env, Path dir, Path log)
            throws IOException {
        Path out = log != null ? log : Files.createTempFile(dir, ".tool-", ".out");
        Path err = log != null ? log : Files.createTempFile(dir, ".tool-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (log != null) {
                pb.redirectErrorStream(true).redirectOutput(log.toFile());
            } else {
                pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            }
            pb.environment().clear();
            pb.environment().put("PATH", PATH);
            pb.environment().put("LC_ALL", "C.UTF-8");
            pb.environment().put("TZ", "UTC");
            pb.environment().put("HOME", dir.toString());
            pb.environment().putAll(env);
            int exit = pb.start().waitFor();
            String stdout = log != null ? "" : Files.readString(out, StandardCharsets.UTF_8);
            if (exit != 0) {
                throw new BuildException(reason, String.join(" ", cmd.subList(0, Math.min(3, cmd.size())))
                        + " … exited " + exit + ":\n" + tail(Files.readString(err, StandardCharsets.UTF_8)));
            }
            return stdout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + cmd.get(0), e);
        } finally {
            if (log == null) {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
    }

    static String tail(String s) {
        List<String> lines = new ArrayList<>(List.of(s.strip().split("\n")));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
    }
}
