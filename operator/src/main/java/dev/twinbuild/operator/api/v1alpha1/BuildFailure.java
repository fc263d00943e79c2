package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class BuildFailure {
    @JsonPropertyDescription("CamelCase, e.g. StepFailed, InputError, Timeout, StoreUnreachable, PodLost.")
    public String reason;
    public String message;

    public BuildFailure() {
    }

    public BuildFailure(String reason, String message) {
        this.reason = reason;
        this.message = message;
    }
}
