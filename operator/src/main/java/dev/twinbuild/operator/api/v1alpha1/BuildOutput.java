package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class BuildOutput {
    @Size(max = 32)
    public String format;
    @Size(max = 256)
    public String file;
    @Size(max = 64)
    public String sha256;
    public Long size;
    @Size(max = 2048)
    public String location;

    public BuildOutput() {
    }

    public BuildOutput(String format, String file, String sha256, Long size, String location) {
        this.format = format;
        this.file = file;
        this.sha256 = sha256;
        this.size = size;
        this.location = location;
    }
}
