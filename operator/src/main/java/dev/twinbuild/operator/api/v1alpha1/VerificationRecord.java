package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;

/** One finished re-verification, in {@code status.verifications} (the newest last). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class VerificationRecord {
    public static final String PASSED = "Passed";
    public static final String REGRESSION = "Regression";
    public static final String FAILED = "Failed";

    @JsonPropertyDescription("Re-verification round (1 = the first after the verdict).")
    public Long round;

    @JsonPropertyDescription("Interval, Schedule or Annotation.")
    @Size(max = 16)
    public String trigger;

    @Size(max = 40)
    public String startedAt;

    @Size(max = 40)
    public String finishedAt;

    @JsonPropertyDescription("The nodes the round's builds ran on, comma-separated.")
    @Size(max = 512)
    public String nodes;

    @JsonPropertyDescription("Passed (same digests as recorded, builds agree), Regression, or Failed (no verdict).")
    @Size(max = 16)
    public String result;

    @Size(max = 1024)
    public String message;

    @JsonPropertyDescription("Outputs of the round, \"<file> sha256:<first 12 hex>\" (identical builds) or one entry "
            + "per differing copy.")
    @Size(max = 32)
    public List<@Size(max = 320) String> digests = new ArrayList<>();

    @JsonPropertyDescription("On a regression: each output whose digest changed from the recorded one.")
    @Size(max = 32)
    public List<DigestChange> changes = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder(alphabetic = true)
    public static class DigestChange {
        @Size(max = 256)
        public String file;
        @Size(max = 8)
        public String build;
        @JsonPropertyDescription("The digest of the verdict (status.artifacts); empty when the output is new.")
        @Size(max = 64)
        public String recorded;
        @JsonPropertyDescription("The digest this build produced; empty when it produced no such output.")
        @Size(max = 64)
        public String found;

        public DigestChange() {
        }

        public DigestChange(String file, String build, String recorded, String found) {
            this.file = file;
            this.build = build;
            this.recorded = recorded;
            this.found = found;
        }
    }
}
