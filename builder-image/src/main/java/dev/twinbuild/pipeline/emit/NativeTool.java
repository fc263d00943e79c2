package dev.twinbuild.pipeline.emit;

import dev.twinbuild.pipeline.BuildException;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs a native filesystem tool (mksquashfs, mkfs.ext4, debugfs, xorriso) the same way in every build: found
 * in fixed system directories (not through the caller's PATH), with an environment of its own (C locale, UTC,
 * no HOME startup files, only the variables given), its output kept for the error message.
 */
public final class NativeTool {
    private static final List<String> DIRS = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");

    /** Feeds a tool's standard input. */
    public interface Input {
        void write(OutputStream stdin) throws IOException;
    }

    private NativeTool() {
    }

    /** Absolute path of a tool, or a BuildException naming the Debian package to install. */
    public static Path find(String name, String debianPackage) {
        for (String d : DIRS) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new BuildException("ToolMissing", name + " not found in " + DIRS + ": install the Debian package "
                + debianPackage);
    }

    /** Runs without input; returns what the tool printed (stdout and stderr). */
    public static String run(String what, List<String> cmd, Map<String, String> env, Path dir) throws IOException {
        return run(what, cmd, env, dir, null);
    }

    public static String run(String what, List<String> cmd, Map<String, String> env, Path dir, Input input)
            throws IOException {
        Path log = Files.createTempFile("twinbuild-tool", ".log"); // not in dir: that may be the tree itself
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> e = pb.environment();
            e.clear();
            e.put("PATH", String.join(":", DIRS));
            e.put("LC_ALL", "C");
            e.put("TZ", "UTC");
            e.put("HOME", dir.toString());
            e.putAll(env);
            if (input == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            }
            Process p = pb.start();
            IOException writeFailure = null;
            if (input != null) {
                try (OutputStream stdin = p.getOutputStream()) {
                    input.write(stdin);
                } catch (IOException ex) {
                    writeFailure = ex; // most often a broken pipe: the tool's own message says why
                }
            }
            int exit = p.waitFor();
            String out = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            if (exit != 0) {
                throw new BuildException("OutputFailed", what + ": " + cmd.get(0) + " exited " + exit + ":\n"
                        + tail(out));
            }
            if (writeFailure != null) {
                throw writeFailure;
            }
            return out;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted", ex);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static String tail(String s) {
        String[] lines = s.strip().split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 20), lines.length));
    }
}
