package dev.twinbuild.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
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

    // The re-verification fields below say when to check the verdict again, not what is built: they are left
    // out of the spec hash and of the manifest builders get (SystemImageSpec#buildDefinition).

    @Pattern("^([0-9]+(h|m|s))+$")
    @Size(max = 32)
    @JsonPropertyDescription("Build again this long after the last verification and compare (e.g. 24h, 90m); at "
            + "least the operator's minimum (1h by default). Not with schedule. Not part of the spec hash.")
    public String interval;

    @Size(max = 128)
    @JsonPropertyDescription("Build again at these times (cron, 5 fields: minute hour day-of-month month "
            + "day-of-week) and compare. Not with interval. Not part of the spec hash.")
    public String schedule;

    @Size(max = 64)
    @JsonPropertyDescription("IANA time zone of schedule (e.g. Europe/Berlin); default UTC.")
    public String timeZone;

    @JsonPropertyDescription("No scheduled re-verification while true (the annotation "
            + "twinbuild.dev/reverify-requested-at still starts one).")
    public Boolean suspend;

    /** Only what decides the builds: the copy hashed and handed to builders. */
    public Verification buildDefinition() {
        Verification v = new Verification();
        v.builds = builds;
        v.variations = variations == null ? null : new ArrayList<>(variations);
        v.timeoutSeconds = timeoutSeconds;
        return v;
    }

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
