package dev.twinbuild.check;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.twinbuild.store.StoreException;
import dev.twinbuild.store.UploadGrants;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the operator asks a check pod to do, with presigned requests for exactly the objects involved: read
 * back every stored output of a generation's builds (GET) and check it against the digest its build
 * reported; for outputs whose digests differ, diff both sides and write the reports (PUT grants).
 * The pod holds no store credentials and can reach no other key.
 *
 * @param reads        every stored copy to check
 * @param diffs        pairs of reads (by id) to diff; empty for a read-back check only
 * @param reports      grants for the report files ({@link #REPORT_JSON}, {@link #REPORT_TEXT},
 *                     {@code diffoscope-<output>.txt|.html})
 * @param maxDiffBytes sides larger than this are read back (hashed) but not diffed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record CheckRequest(List<Read> reads, List<Pair> diffs, UploadGrants reports, long maxDiffBytes) {
    public static final String FILE = "check.json";
    public static final String REPORT_JSON = "diff-report.json";
    public static final String REPORT_TEXT = "diff-report.txt";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public CheckRequest {
        reads = reads == null ? List.of() : List.copyOf(reads);
        diffs = diffs == null ? List.of() : List.copyOf(diffs);
    }

    /**
     * @param id       unique within the request: {@code <build>/<file>}
     * @param location {@code s3://bucket/key}, for messages and reports
     * @param get      presigned GET of that object
     */
    @JsonPropertyOrder(alphabetic = true)
    public record Read(String id, String location, String sha256, long size, String get) {
    }

    /** @param file the output's file name; its diffoscope reports are {@code diffoscope-<file>.txt|.html} */
    @JsonPropertyOrder(alphabetic = true)
    public record Pair(String file, String format, String a, String b) {
    }

    public static String diffoscopeText(String file) {
        return "diffoscope-" + file + ".txt";
    }

    public static String diffoscopeHtml(String file) {
        return "diffoscope-" + file + ".html";
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static CheckRequest read(Path file) {
        try {
            return JSON.readValue(Files.readString(file), CheckRequest.class);
        } catch (IOException e) {
            throw new StoreException(StoreException.REJECTED, "cannot read the check request " + file + ": " + e);
        }
    }
}
