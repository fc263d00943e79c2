package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;

import java.util.List;
import java.util.Map;

/** What an OCI output's image configuration says besides the layer: platform, process, labels, tag. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class OciImageConfig {
    @Pattern("^[a-z0-9_]+$")
    @JsonPropertyDescription("GOARCH-style architecture; default amd64.")
    public String architecture;

    @Pattern("^[a-z0-9]+$")
    @JsonPropertyDescription("Operating system; default linux.")
    public String os;

    @Pattern("^[a-z0-9]+$")
    @JsonPropertyDescription("CPU variant, e.g. v8 for arm64.")
    public String variant;

    public List<String> entrypoint;

    public List<String> cmd;

    @JsonPropertyDescription("Environment as NAME=value strings.")
    public List<String> env;

    public String workingDir;

    public String user;

    public Map<String, String> labels;

    @Pattern("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
    @JsonPropertyDescription("Tag recorded as org.opencontainers.image.ref.name in index.json; default latest.")
    public String tag;

    public String architectureOrDefault() {
        return architecture != null ? architecture : "amd64";
    }

    public String osOrDefault() {
        return os != null ? os : "linux";
    }

    public String tagOrDefault() {
        return tag != null ? tag : "latest";
    }
}
