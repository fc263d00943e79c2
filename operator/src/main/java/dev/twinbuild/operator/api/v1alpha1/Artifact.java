package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class Artifact {
    @Size(max = 32)
    public String format;
    @Size(max = 256)
    public String file;
    @Size(max = 64)
    public String sha256;
    public Long size;
    @JsonPropertyDescription("s3://bucket/key or pvc://claim/path")
    @Size(max = 2048)
    public String location;
    @JsonPropertyDescription("Build that produced this copy (b<index>).")
    @Size(max = 8)
    public String build;

    public Artifact() {
    }

    public Artifact(String format, String file, String sha256, Long size, String location, String build) {
        this.format = format;
        this.file = file;
        this.sha256 = sha256;
        this.size = size;
        this.location = location;
        this.build = build;
    }
}
