package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class Mismatch {
    @JsonPropertyDescription("Outputs whose digests differ between builds.")
    public List<Output> outputs = new ArrayList<>();

    @JsonPropertyDescription("Paths inside the outputs that differ, when a diff has been made.")
    public List<String> differingPaths = new ArrayList<>();

    @JsonPropertyDescription("Location of the full diff report in the store, when one has been made.")
    public String reportLocation;

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder(alphabetic = true)
    public static class Output {
        public String format;
        public String file;
        @JsonPropertyDescription("sha256 per build name (b0, b1, ...); absent when a build did not produce it.")
        public Map<String, String> sha256 = new TreeMap<>();
    }
}
