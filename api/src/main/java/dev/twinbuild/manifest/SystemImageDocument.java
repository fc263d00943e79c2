package dev.twinbuild.manifest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.twinbuild.api.v1alpha1.SystemImageSpec;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** A SystemImage manifest as the CLI reads it: the same YAML that `kubectl apply` takes. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
@JsonIgnoreProperties(value = {"status"}, allowGetters = false)
public class SystemImageDocument {
    public static final String API_VERSION = "twinbuild.dev/v1alpha1";
    public static final String KIND = "SystemImage";

    public String apiVersion;
    public String kind;
    public Metadata metadata = new Metadata();
    public SystemImageSpec spec;

    /** The file the CLI read this from (its lock file sits beside it); null when it came from elsewhere. */
    @JsonIgnore
    public transient Path source;

    /** The lock file to use instead of the one beside {@link #source} (a builder pod's mounted ConfigMap). */
    @JsonIgnore
    public transient Path lockFile;

    /**
     * Base URL that replaces the lock's mirror in package URLs (an operator setting for clusters that cannot
     * reach the mirror); safe, as every file is pinned by SHA-256. Null: the lock's URLs as they are.
     */
    @JsonIgnore
    public transient String packageMirror;

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder(alphabetic = true)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Metadata {
        public String name;
        public String namespace;
        public Map<String, String> labels = new TreeMap<>();
        public Map<String, String> annotations = new TreeMap<>();
    }

    public String name() {
        return metadata != null && metadata.name != null ? metadata.name : "image";
    }
}
