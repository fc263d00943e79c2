package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class OciLayer {
    @Required
    @Pattern(Patterns.OCI_DIGEST_REF)
    @JsonPropertyDescription("Image reference pinned by digest: registry/repo@sha256:<64 hex>. Tags are refused.")
    @Size(max = 1024)
    public String image;

    @Pattern("^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$")
    @JsonPropertyDescription("Platform picked from an image index; default linux/amd64.")
    @Size(max = 64)
    public String platform;

    public String platformOrDefault() {
        return platform != null ? platform : "linux/amd64";
    }
}
