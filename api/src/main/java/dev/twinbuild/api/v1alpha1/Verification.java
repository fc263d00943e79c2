package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class Verification {
    @Min(2)
    @Max(8)
    @JsonPropertyDescription("Independent builds compared with each other; at least 2.")
    public Integer builds;

    @JsonPropertyDescription("Environment variations applied between builds (reprotest names); default: all.")
    @Size(max = 32)
    public List<Variation> variations = new ArrayList<>();

    @Min(60)
    @JsonPropertyDescription("Seconds one build may take before it is failed; default 1800.")
    public Integer timeoutSeconds;

    public int buildsOrDefault() {
        return builds != null ? builds : 2;
    }

    public int timeoutOrDefault() {
        return timeoutSeconds != null ? timeoutSeconds : 1800;
    }

    public EnumSet<Variation> variationsOrDefault() {
        return variations == null || variations.isEmpty() ? EnumSet.allOf(Variation.class) : EnumSet.copyOf(variations);
    }
}
