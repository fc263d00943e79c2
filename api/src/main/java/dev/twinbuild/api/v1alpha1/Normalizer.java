package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;

/** Rewrites files matching a glob so that nondeterministic metadata inside them is fixed. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class Normalizer {
    @Required
    public NormalizerType type;

    @Required
    @Size(min = 1, max = 1024)
    public List<@Size(max = 4096) String> paths = new ArrayList<>();
}
