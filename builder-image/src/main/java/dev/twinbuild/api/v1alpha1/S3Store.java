package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class S3Store {
    @Required
    @Pattern("^https?://.+")
    public String endpoint;

    @Required
    public String bucket;

    @JsonPropertyDescription("Key prefix; objects go to <prefix>/<namespace>/<name>/<spec hash>/b<build index>/<file>.")
    public String prefix;

    public String region;

    @Required
    @JsonPropertyDescription("Secret with keys accessKeyId and secretAccessKey.")
    public String credentialsSecret;
}
