package dev.twinbuild.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Size;

import java.util.ArrayList;
import java.util.List;

/**
 * The current (or last) re-verification round: its builds are followed like the first round's, under
 * pods named {@code <name>-<hash>-r<round>-b<N>}, so a restarted operator resumes it.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder(alphabetic = true)
public class ReverificationRound {
    public Long round;

    @JsonPropertyDescription("Interval, Schedule or Annotation.")
    @Size(max = 16)
    public String trigger;

    @Size(max = 40)
    public String startedAt;

    @JsonPropertyDescription("True once the round is recorded in verifications.")
    public Boolean done;

    @JsonPropertyDescription("Build index → the node it ran on in the round before; each build prefers another.")
    @Size(max = 8)
    public java.util.Map<String, @Size(max = 253) String> previousNodes = new java.util.TreeMap<>();

    @JsonPropertyDescription("The round's builds, by index.")
    @Size(max = 8)
    public List<BuildStatus> builds = new ArrayList<>();

    @JsonPropertyDescription("The round's read-back of its stored outputs.")
    public CheckStatus check;

    @JsonIgnore
    public boolean running() {
        return !Boolean.TRUE.equals(done);
    }
}
