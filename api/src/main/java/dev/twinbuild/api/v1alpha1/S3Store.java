package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class S3Store {
    @Required
    @Pattern("^https?://.+")
    @Size(max = 2048)
    public String endpoint;

    @Required
    @Size(max = 63)
    public String bucket;

    @JsonPropertyDescription("Key prefix; objects go to <prefix>/<namespace>/<name>/<spec hash>/b<build index>/<file>.")
    @Size(max = 1024)
    public String prefix;

    @Size(max = 64)
    public String region;

    @Required
    @JsonPropertyDescription("Secret with keys accessKeyId and secretAccessKey.")
    @Size(max = 253)
    public String credentialsSecret;
}
