package dev.twinbuild.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs real tools (GNU tar, cpio, the twinbuild jar) the way a user would. */
public final class Commands {
    public record Result(int exit, String stdout, String stderr) {
    }

    private Commands() {
    }

    public static Result run(Path dir, Map<String, String> env, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().putAll(env);
        Path out = java.nio.file.Files.createTempFile("cmd", ".out");
        Path err = java.nio.file.Files.createTempFile("cmd", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        try {
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + cmd);
            }
            return new Result(p.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8),
                    java.nio.file.Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            java.nio.file.Files.deleteIfExists(out);
            java.nio.file.Files.deleteIfExists(err);
        }
    }

    public static Result run(Path dir, String... cmd) throws IOException {
        return run(dir, Map.of(), List.of(cmd));
    }

    public static Result sh(Path dir, String script) throws IOException {
        return run(dir, Map.of("LC_ALL", "C.UTF-8", "TZ", "UTC"), List.of("/bin/sh", "-c", script));
    }
}
