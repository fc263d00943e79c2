package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class TarLayer {
    @Required
    @JsonPropertyDescription("http(s):// URL, or (CLI only) a path relative to the manifest. Plain, gzip or zstd tar.")
    @Size(max = 4096)
    public String url;

    @Required
    @Pattern(Patterns.SHA256)
    @JsonPropertyDescription("SHA-256 of the file as fetched; unpinned or mismatching input is refused.")
    @Size(max = 64)
    public String sha256;
}
