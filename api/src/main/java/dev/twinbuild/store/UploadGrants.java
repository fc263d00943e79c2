package dev.twinbuild.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one build may write to the S3 store: for each file of the build (its outputs and the build
 * record), the key the operator chose and presigned requests for exactly that key — a PUT, and for
 * outputs the UploadPart requests of a multipart upload the operator created (and completes or aborts
 * itself). Nothing in it can read, list or touch any other key, and it expires.
 * The operator writes it into a Secret owned by the builder pod; the pod reads the mounted file.
 *
 * @param files file name → grant
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record UploadGrants(String bucket, String expires, Map<String, Grant> files) {
    public static final String FILE = "grants.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    public UploadGrants {
        files = files == null ? Map.of() : new TreeMap<>(files);
    }

    /** @param location {@code s3://bucket/key}, as the build must report it */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder(alphabetic = true)
    public record Grant(String key, String location, String put, Multipart multipart) {
    }

    /**
     * @param partSize every part but the last has exactly this size
     * @param parts    presigned UploadPart URLs for part numbers 1..n
     */
    @JsonPropertyOrder(alphabetic = true)
    public record Multipart(String uploadId, long partSize, List<String> parts) {
        public Multipart {
            parts = parts == null ? List.of() : List.copyOf(parts);
        }

        public long maxSize() {
            return partSize * parts.size();
        }
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static UploadGrants parse(String json) {
        try {
            return JSON.readValue(json, UploadGrants.class);
        } catch (JsonProcessingException e) {
            throw new StoreException(StoreException.REJECTED, "the upload grants are not valid JSON: "
                    + e.getOriginalMessage());
        }
    }

    public static UploadGrants read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new StoreException(StoreException.REJECTED, "cannot read the upload grants " + file + ": " + e);
        }
    }
}
