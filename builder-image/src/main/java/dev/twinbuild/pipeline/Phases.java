package dev.twinbuild.pipeline;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall-clock time per phase of a build, printed to stderr at its end when TWINBUILD_TIMINGS=1 (the
 * benchmark's per-phase breakdown); otherwise it only reads the clock. Nothing here reaches an output.
 */
final class Phases {
    private final boolean print = "1".equals(System.getenv("TWINBUILD_TIMINGS"));
    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private final Map<String, Long> outputs = new LinkedHashMap<>();
    private String current;
    private long since;

    /** Ends the running phase, if any, and starts {@code name}. */
    void start(String name) {
        long now = System.nanoTime();
        if (current != null) {
            nanos.merge(current, now - since, Long::sum);
        }
        current = name;
        since = now;
    }

    /** Wall clock per output and per part of an output ({@code EmitContext#timings}), printed on a line of its own. */
    void outputs(Map<String, Long> timings) {
        outputs.putAll(timings);
    }

    void end(PrintStream err) {
        start(null);
        if (print) {
            StringBuilder sb = new StringBuilder("twinbuild: timings");
            nanos.forEach((k, v) -> sb.append(' ').append(k).append('=').append(String.format("%.2f", v / 1e9)));
            err.println(sb);
            if (!outputs.isEmpty()) {
                StringBuilder o = new StringBuilder("twinbuild: output-timings");
                outputs.forEach((k, v) -> o.append(' ').append(k).append('=').append(String.format("%.2f", v / 1e9)));
                err.println(o);
            }
        }
    }
}
