package dev.twinbuild.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinbuild.redaction.Redaction;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a builder pod tells the operator, through its container's termination message (at most 4096
 * bytes, so the JSON is compact): the stored outputs, or why the build failed.
 *
 * @param outputs stored outputs in spec order, each with its store location
 * @param record  location of build-record.json
 * @param failure set when the build failed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"outputs", "record", "failure"})
public record BuildSummary(List<Output> outputs, String record, Failure failure) {
    public static final int MAX_BYTES = 4096;
    /**
     * Failure reason of a successful build whose outputs did not all fit: the upload container stored the
     * whole summary at {@link Stores#SUMMARY_FILE}, where the operator reads it.
     */
    public static final String TRUNCATED = "SummaryTruncated";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @JsonPropertyOrder({"format", "file", "sha256", "size", "location"})
    public record Output(String format, String file, String sha256, long size, String location) {
    }

    public record Failure(String reason, String message) {
    }

    public static BuildSummary success(List<Output> outputs, String record) {
        return new BuildSummary(List.copyOf(outputs), record, null);
    }

    /** The message is redacted: it leaves the pod (termination message, logs, then status and events). */
    public static BuildSummary failed(String reason, String message) {
        return new BuildSummary(null, null, new Failure(reason, message == null ? "" : Redaction.redact(message)));
    }

    public boolean succeeded() {
        return failure == null;
    }

    /** Whether the whole summary fits a termination message (else it is also stored, see {@link #TRUNCATED}). */
    public boolean fitsTerminationMessage() {
        return fits(write(this));
    }

    /** The whole summary as JSON, as the upload container stores it when it does not fit. */
    public String toJson() {
        return write(this);
    }

    /** The JSON, shortened to fit a termination message: the failure message is cut first. */
    public String toTerminationMessage() {
        String json = write(this);
        if (fits(json)) {
            return json;
        }
        if (failure != null) {
            // Escaping and multi-byte characters make the cut approximate: shrink until it fits.
            String msg = failure.message();
            int keep = msg.length();
            String cut = json;
            while (!fits(cut) && keep > 0) {
                keep = Math.max(0, keep - Math.max(16, cut.getBytes(StandardCharsets.UTF_8).length - MAX_BYTES));
                cut = write(failed(failure.reason(), msg.substring(0, keep) + "..."));
            }
            return cut;
        }
        // Too many outputs to list: the operator then reads the stored summary (Stores.SUMMARY_FILE).
        List<Output> kept = new ArrayList<>(outputs);
        String cut = json;
        while (!kept.isEmpty() && !fits(cut)) {
            kept.remove(kept.size() - 1);
            cut = write(new BuildSummary(kept, record, new Failure(TRUNCATED,
                    outputs.size() - kept.size() + " outputs left out of the termination message")));
        }
        return cut;
    }

    public static BuildSummary parse(String message) {
        if (message == null || message.isBlank()) {
            return null;
        }
        try {
            return JSON.readValue(message, BuildSummary.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static boolean fits(String json) {
        return json.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
    }

    private static String write(BuildSummary s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
