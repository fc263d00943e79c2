package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class Output {
    @Required
    public OutputFormat format;

    @Pattern("^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$")
    @JsonPropertyDescription("File name of the output; default <image name>.<format extension>.")
    public String name;

    @Min(1)
    @Max(22)
    @JsonPropertyDescription("Compression level for gzip (1-9) or zstd (1-22); defaults 6 and 19.")
    public Integer level;
}
