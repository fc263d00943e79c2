package dev.twinbuild.check;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinbuild.redaction.Redaction;
import dev.twinbuild.store.BuildSummary;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A check pod's report to the operator, through its termination message (at most
 * {@link BuildSummary#MAX_BYTES}): how many stored copies matched their digests, or the first that did
 * not; and for a diagnosis the first differing paths (with the total) and the stored reports.
 *
 * @param reports report file name → location in the store
 * @param note    why a diagnosis is partial (a side too large, a tool that failed); never decides anything
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record CheckSummary(int verified, Failure failure, List<String> differingPaths, Integer differingPathCount,
                           Map<String, String> reports, String note) {
    /** Paths kept in the message (each cut to {@link #MAX_PATH}); the operator caps again for the status. */
    public static final int MAX_PATHS = 50;
    public static final int MAX_PATH = 256;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public record Failure(String reason, String message) {
    }

    public CheckSummary {
        differingPaths = differingPaths == null ? List.of() : List.copyOf(differingPaths);
        reports = reports == null ? Map.of() : new TreeMap<>(reports);
    }

    public static CheckSummary failed(int verified, String reason, String message) {
        return new CheckSummary(verified, new Failure(reason, cut(Redaction.redact(String.valueOf(message)), 2000)),
                null, null, null, null);
    }

    public boolean succeeded() {
        return failure == null;
    }

    /** The JSON, cut to fit: paths are dropped from the end first (the count keeps the total). */
    public String toTerminationMessage() {
        List<String> paths = new ArrayList<>(differingPaths.stream().limit(MAX_PATHS).map(p -> cut(p, MAX_PATH)).toList());
        int total = differingPathCount != null ? differingPathCount : differingPaths.size();
        String note1 = note == null ? null : cut(note, 1000);
        String json = write(paths, total, note1);
        while (!fits(json) && !paths.isEmpty()) {
            paths.remove(paths.size() - 1);
            json = write(paths, total, note1);
        }
        return fits(json) ? json : write(List.of(), total, null);
    }

    private String write(List<String> paths, int total, String note1) {
        Integer count = paths.size() < total ? Integer.valueOf(total) : null;
        try {
            return JSON.writeValueAsString(new CheckSummary(verified, failure, paths, count, reports, note1));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static CheckSummary parse(String message) {
        if (message == null || message.isBlank()) {
            return null;
        }
        try {
            return JSON.readValue(message, CheckSummary.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static boolean fits(String json) {
        return json.getBytes(StandardCharsets.UTF_8).length <= BuildSummary.MAX_BYTES;
    }

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
