package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class Mismatch {
    @JsonPropertyDescription("Outputs whose digests differ between builds.")
    @Size(max = 64)
    public List<Output> outputs = new ArrayList<>();

    @JsonPropertyDescription("Paths inside the outputs that differ, when a diff has been made.")
    @Size(max = 100)
    public List<@Size(max = 4096) String> differingPaths = new ArrayList<>();

    @JsonPropertyDescription("How many paths differ in all, when differingPaths lists only the first of them.")
    public Integer differingPathCount;

    @JsonPropertyDescription("Location of the full diff report in the store, when one has been made.")
    @Size(max = 2048)
    public String reportLocation;

    @JsonPropertyDescription("Every stored report of the diagnosis by file name (diff-report.txt|json, "
            + "diffoscope-<output>.txt|html) → its location.")
    @Size(max = 140)
    public Map<String, @Size(max = 2048) String> reports = new TreeMap<>();

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder(alphabetic = true)
    public static class Output {
        @Size(max = 32)
        public String format;
        @Size(max = 256)
        public String file;
        @JsonPropertyDescription("sha256 per build name (b0, b1, ...); absent when a build did not produce it.")
        @Size(max = 8)
        public Map<String, @Size(max = 64) String> sha256 = new TreeMap<>();
    }
}
