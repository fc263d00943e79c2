package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class BuildOutput {
    public String format;
    public String file;
    public String sha256;
    public Long size;
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
