package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class BuildFailure {
    @JsonPropertyDescription("CamelCase, e.g. StepFailed, InputError, Timeout, StoreUnreachable, PodLost.")
    @Size(max = 128)
    public String reason;
    @Size(max = 4096)
    public String message;

    public BuildFailure() {
    }

    public BuildFailure(String reason, String message) {
        this.reason = reason;
        this.message = message;
    }
}
