package dev.twinbuild.operator.dashboard;

import java.util.List;
import java.util.Map;

/** What the dashboard shows: the JSON API returns these as they are, and the Qute templates render them. */
public final class Views {
    private Views() {
    }

    /** "12 of 14 reproducible (85.7%)": for one namespace, or overall (namespace null). */
    public record Headline(String namespace, int total, int reproducible, int unreproducible, int failed,
                           int inProgress, double percentage) {
    }

    /** One row of the table. verdict: the phase, or "New" before the operator has written a status. */
    public record Row(String namespace, String name, String verdict, String message, String digest,
                      List<String> nodes, List<String> variations, String lastVerified, String created,
                      long generation, Long observedGeneration) {
    }

    /** The whole overview; {@code revision} changes whenever anything shown here may have changed. */
    public record Overview(String viewer, Headline overall, List<Headline> namespaces, List<Row> images,
                           String revision) {
    }

    public record Output(String format, String file, String sha256, Long size, String location) {
    }

    public record Build(String name, String pod, String node, String phase, Integer attempts,
                        Map<String, String> variations, String startTime, String completionTime,
                        Long durationSeconds, List<Output> outputs, String record, String failure) {
    }

    public record Artifact(String format, String file, String sha256, Long size, String location, String build) {
    }

    public record DifferingOutput(String format, String file, Map<String, String> sha256) {
    }

    /** reportLink: where the dashboard serves the report, when there is one. */
    public record Mismatch(List<DifferingOutput> outputs, List<String> differingPaths, String reportLocation,
                           String reportLink) {
    }

    public record Condition(String type, String status, String reason, String message, String lastTransitionTime) {
    }

    public record Detail(Row summary, String specHash, List<Condition> conditions, List<Build> builds,
                         List<Artifact> artifacts, Mismatch mismatch, String revision) {
    }
}
