package dev.twinbuild.check;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's diffoscope (package diffoscope-minimal in the builder image) on two sides of one output: a text
 * and an HTML report, each bounded in size, under a deadline. Exit 1 means "they differ", which is
 * the expected case here; only 2 (or a timeout) is a failure.
 */
public final class Diffoscope {
    public static final String COMMAND = "/usr/bin/diffoscope";
    /** Bytes per report file (text and HTML each). */
    public static final long MAX_REPORT_BYTES = 8L << 20;

    private final Path command;
    private final long timeoutSeconds;

    public Diffoscope(Path command, long timeoutSeconds) {
        this.command = command;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** @return null when both reports were written, else why not (the reports may then be partial or absent) */
    public String compare(Path a, Path b, Path text, Path html, Path scratch) throws IOException {
        if (!Files.isExecutable(command)) {
            return command + " is missing: install the Debian package diffoscope-minimal";
        }
        Path tmp = Files.createDirectories(scratch.resolve("diffoscope-tmp"));
        Path log = scratch.resolve("diffoscope.log");
        String limit = Long.toString(MAX_REPORT_BYTES / 2);
        List<String> cmd = new ArrayList<>(List.of(command.toString(),
                "--text", text.toString(), "--html", html.toString(), "--text-color", "never",
                "--max-report-size", limit, "--max-text-report-size", limit, "--max-page-size", limit,
                "--timeout", Long.toString(timeoutSeconds),
                a.toString(), b.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(scratch.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("LC_ALL", "C.UTF-8");
        env.put("TZ", "UTC");
        env.put("HOME", tmp.toString());
        env.put("TMPDIR", tmp.toString());
        Process p = pb.start();
        try {
            // diffoscope's own --timeout stops the comparison; this bounds the report writing after it.
            if (!p.waitFor(timeoutSeconds + 120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "diffoscope did not finish within " + (timeoutSeconds + 120) + "s";
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        truncate(text);
        truncate(html);
        int exit = p.exitValue();
        if (exit > 1) {
            return "diffoscope exited " + exit + ": " + tail(log);
        }
        return null;
    }

    /** diffoscope's limits are soft (it finishes the block it is in): cut anything above the hard bound. */
    private static void truncate(Path report) throws IOException {
        if (Files.exists(report) && Files.size(report) > MAX_REPORT_BYTES) {
            try (var ch = Files.newByteChannel(report, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(MAX_REPORT_BYTES);
            }
        }
    }

    private static String tail(Path log) throws IOException {
        String s = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        s = s.strip();
        return s.length() > 500 ? "…" + s.substring(s.length() - 500) : s;
    }
}
