package dev.twinbuild.pipeline.steps;

import dev.twinbuild.api.v1alpha1.Step;
import dev.twinbuild.pipeline.BuildException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs build steps against the tree. A step sees a pinned environment (PATH, HOME, TZ, locale, umask,
 * hostname): what it still sees of the machine (clock, build path, directory order, CPU count) is what
 * a verification varies, so that a step depending on it is caught.
 */
public final class StepRunner {
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final String FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    private final Sandbox sandbox;
    private final Path rootfs;
    private final Path scratch;
    private final Path logs;
    private final long sourceDateEpoch;
    private final long clockOffsetSeconds;
    private final Integer cpus;

    public StepRunner(Sandbox sandbox, Path rootfs, Path scratch, Path logs, long sourceDateEpoch,
                      long clockOffsetSeconds, Integer cpus) {
        this.sandbox = sandbox;
        this.rootfs = rootfs;
        this.scratch = scratch;
        this.logs = logs;
        this.sourceDateEpoch = sourceDateEpoch;
        this.clockOffsetSeconds = clockOffsetSeconds;
        this.cpus = cpus;
    }

    public void run(Step step, int index) throws IOException {
        Files.createDirectories(scratch.resolve("home"));
        Files.createDirectories(scratch.resolve("tmp"));
        Files.createDirectories(logs);
        Map<String, String> env = new TreeMap<>();
        boolean chroot = step.chrooted();
        env.put("PATH", PATH);
        env.put("HOME", chroot ? "/root" : scratch.resolve("home").toString());
        env.put("TMPDIR", chroot ? "/tmp" : scratch.resolve("tmp").toString());
        env.put("TZ", "UTC");
        env.put("LANG", "C.UTF-8");
        env.put("LC_ALL", "C.UTF-8");
        env.put("SOURCE_DATE_EPOCH", Long.toString(sourceDateEpoch));
        env.put("ROOTFS", chroot ? "/" : rootfs.toString());
        env.put("SCRATCH", chroot ? "/tmp" : scratch.toString());
        if (clockOffsetSeconds != 0 && !chroot && Files.exists(Path.of(FAKETIME_LIB))) {
            env.put("LD_PRELOAD", FAKETIME_LIB);
            env.put("FAKETIME", "+" + clockOffsetSeconds + "s");
            env.put("FAKETIME_DONT_RESET", "1");
        }
        env.putAll(step.env);

        List<String> command = new ArrayList<>();
        if (cpus != null) {
            command.addAll(List.of("taskset", "-c", "0-" + (cpus - 1)));
        }
        command.addAll(sandbox.wrap(rootfs, scratch, chroot));
        command.addAll(List.of("/bin/sh", "-euc", "umask 0022\n" + step.run));

        Path log = logs.resolve(String.format("%02d-%s.log", index, step.name));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).directory(chroot ? rootfs.toFile() : scratch.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        int exit;
        try {
            exit = pb.start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException("Interrupted", "step '" + step.name + "' interrupted");
        } catch (IOException e) {
            throw new BuildException("StepFailed", "step '" + step.name + "' could not start: " + e.getMessage(), e);
        }
        if (exit != 0) {
            throw new BuildException("StepFailed", "step '" + step.name + "' exited " + exit + ":\n" + tail(log));
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
}
