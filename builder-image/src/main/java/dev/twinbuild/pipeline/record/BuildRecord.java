package dev.twinbuild.pipeline.record;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.twinbuild.pipeline.OutputArtifact;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** What a build used and made; written as build-record.json with sorted keys next to the outputs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public class BuildRecord {
    public String apiVersion = "twinbuild.dev/v1alpha1";
    public String kind = "BuildRecord";
    public String image;
    public String specSha256;
    public long sourceDateEpoch;
    public List<Input> inputs = new ArrayList<>();
    public List<StepRecord> steps = new ArrayList<>();
    /** What package installation left machine-specific and how it was fixed (packages layers only). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public List<Fix> fixes = new ArrayList<>();
    public SortedMap<String, String> tools = new TreeMap<>();
    public SortedMap<String, String> variations = new TreeMap<>();
    public long entries;
    public List<OutputArtifact> outputs = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder(alphabetic = true)
    public record Input(String field, String kind, String url, String image, String sha256, List<String> blobs,
                        Integer files) {
    }

    @JsonPropertyOrder(alphabetic = true)
    public record Fix(String path, String cause, String how) {
    }

    @JsonPropertyOrder(alphabetic = true)
    public record StepRecord(String name, String runSha256, boolean chroot) {
    }
}
