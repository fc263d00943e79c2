package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class TarLayer {
    @Required
    @JsonPropertyDescription("http(s):// URL, or (CLI only) a path relative to the manifest. Plain, gzip or zstd tar.")
    public String url;

    @Required
    @Pattern(Patterns.SHA256)
    @JsonPropertyDescription("SHA-256 of the file as fetched; unpinned or mismatching input is refused.")
    public String sha256;
}
