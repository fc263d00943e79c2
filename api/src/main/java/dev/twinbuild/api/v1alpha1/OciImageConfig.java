package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

import java.util.List;
import java.util.Map;

/** What an OCI output's image configuration says besides the layer: platform, process, labels, tag. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class OciImageConfig {
    @Pattern("^[a-z0-9_]+$")
    @JsonPropertyDescription("GOARCH-style architecture; default amd64.")
    @Size(max = 32)
    public String architecture;

    @Pattern("^[a-z0-9]+$")
    @JsonPropertyDescription("Operating system; default linux.")
    @Size(max = 32)
    public String os;

    @Pattern("^[a-z0-9]+$")
    @JsonPropertyDescription("CPU variant, e.g. v8 for arm64.")
    @Size(max = 32)
    public String variant;

    @Size(max = 256)
    public List<@Size(max = 4096) String> entrypoint;

    @Size(max = 256)
    public List<@Size(max = 4096) String> cmd;

    @JsonPropertyDescription("Environment as NAME=value strings.")
    @Size(max = 1024)
    public List<@Size(max = 4096) String> env;

    @Size(max = 4096)
    public String workingDir;

    @Size(max = 256)
    public String user;

    @Size(max = 256)
    public Map<String, @Size(max = 4096) String> labels;

    @Pattern("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
    @JsonPropertyDescription("Tag recorded as org.opencontainers.image.ref.name in index.json; default latest.")
    @Size(max = 128)
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
