package dev.twinbuild.pipeline.emit;

import dev.twinbuild.pipeline.BuildException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Runs a native filesystem tool (mksquashfs, mkfs.ext4, debugfs, xorriso) the same way in every build: found
 * in fixed system directories (not through the caller's PATH), with an environment of its own (C locale, UTC,
 * no HOME startup files, only the variables given), its output kept for the error message.
 */
public final class NativeTool {
    private static final List<String> DIRS = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");
    /**
     * With TWINBUILD_TIMINGS=1 (the benchmark), each tool runs under GNU time, which writes the CPU time (user +
     * system) it took to a file of ours: what the tools cost, beside the wall clock the outputs measure. The tool
     * itself runs as ever (same arguments, environment, input and output).
     */
    private static final Path GNU_TIME = Path.of("/usr/bin/time");
    private static final boolean CPU = "1".equals(System.getenv("TWINBUILD_TIMINGS")) && Files.isExecutable(GNU_TIME);
    /** At most this much of a filtered output is kept (error lines: the first ones tell). */
    private static final int KEPT_CHARS = 1 << 20;
    private static final Map<String, Long> CPU_NANOS = new java.util.concurrent.ConcurrentHashMap<>();

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

    /**
     * Runs without input and keeps, of what the tool printed, only the lines {@code keep} accepts; for a tool that
     * prints a line for every one of many commands (debugfs echoes each command of its script). Its output is read
     * through a pipe as it comes, not written to a file: hundreds of thousands of small writes to a file cost a
     * busy disk minutes (each append takes the file system's journal), to a pipe a second.
     *
     * @return the kept lines, each ended by a line break
     */
    public static String runFiltered(String what, List<String> cmd, Map<String, String> env, Path dir,
                                     Predicate<String> keep) throws IOException {
        String tool = cmd.get(0);
        Path cpu = CPU ? Files.createTempFile("twinbuild-tool", ".cpu") : null;
        ProcessBuilder pb = builder(timed(cmd, cpu), env, dir).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        StringBuilder kept = new StringBuilder();
        try {
            Process p = pb.start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8), 1 << 16)) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (keep.test(line) && kept.length() < KEPT_CHARS) {
                        kept.append(line).append('\n');
                    }
                }
            }
            int exit = p.waitFor();
            if (cpu != null) {
                addCpu(what, cpu);
            }
            if (exit != 0) {
                throw new BuildException("OutputFailed", what + ": " + tool + " exited " + exit + ":\n"
                        + tail(kept.toString()));
            }
            return kept.toString();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IOException(what + ": interrupted", ex);
        } finally {
            if (cpu != null) {
                Files.deleteIfExists(cpu);
            }
        }
    }

    /** The command, under GNU time writing to {@code cpu} when that is not null. */
    private static List<String> timed(List<String> cmd, Path cpu) {
        if (cpu == null) {
            return cmd;
        }
        List<String> timed = new java.util.ArrayList<>(List.of(GNU_TIME.toString(), "-f", "%U %S", "-o",
                cpu.toString()));
        timed.addAll(cmd);
        return timed;
    }

    /** Fixed directory and environment: C locale, UTC, HOME in the tool's own directory, only {@code env} besides. */
    private static ProcessBuilder builder(List<String> cmd, Map<String, String> env, Path dir) {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", String.join(":", DIRS));
        e.put("LC_ALL", "C");
        e.put("TZ", "UTC");
        e.put("HOME", dir.toString());
        e.putAll(env);
        return pb;
    }

    public static String run(String what, List<String> cmd, Map<String, String> env, Path dir, Input input)
            throws IOException {
        Path log = Files.createTempFile("twinbuild-tool", ".log"); // not in dir: that may be the tree itself
        String tool = cmd.get(0);
        Path cpu = CPU ? Files.createTempFile("twinbuild-tool", ".cpu") : null;
        try {
            ProcessBuilder pb = builder(timed(cmd, cpu), env, dir).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
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
            if (cpu != null) {
                addCpu(what, cpu);
            }
            String out = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            if (exit != 0) {
                throw new BuildException("OutputFailed", what + ": " + tool + " exited " + exit + ":\n"
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
            if (cpu != null) {
                Files.deleteIfExists(cpu);
            }
        }
    }

    private static void addCpu(String what, Path cpu) {
        try {
            List<String> lines = Files.readAllLines(cpu, StandardCharsets.UTF_8);
            String[] f = lines.get(lines.size() - 1).trim().split(" ");
            long nanos = Math.round((Double.parseDouble(f[0]) + Double.parseDouble(f[1])) * 1e9);
            CPU_NANOS.merge(what, nanos, Long::sum);
        } catch (IOException | RuntimeException e) {
            // a measurement only: a tool that died by a signal leaves another line, and that is all
        }
    }

    /** CPU time (user + system) of the tools run so far, by what they made; empty unless TWINBUILD_TIMINGS=1. */
    public static Map<String, Long> cpuNanos() {
        return new java.util.TreeMap<>(CPU_NANOS);
    }

    private static String tail(String s) {
        String[] lines = s.strip().split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 20), lines.length));
    }
}
