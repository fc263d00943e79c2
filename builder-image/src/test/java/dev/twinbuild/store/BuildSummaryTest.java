package dev.twinbuild.store;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BuildSummaryTest {
    @Test
    void roundTripsThroughTheTerminationMessage() {
        BuildSummary s = BuildSummary.success(List.of(new BuildSummary.Output("tar", "img.tar", "a".repeat(64), 10,
                "s3://b/k/img.tar")), "s3://b/k/build-record.json");
        String json = s.toTerminationMessage();
        assertThat(json).startsWith("{\"outputs\":[{\"format\":\"tar\",\"file\":\"img.tar\"");
        assertThat(BuildSummary.parse(json)).isEqualTo(s);
    }

    @Test
    void longFailuresAndManyOutputsStillFit() {
        String msg = "x".repeat(10_000);
        String failed = BuildSummary.failed("StepFailed", msg).toTerminationMessage();
        assertThat(failed.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(BuildSummary.MAX_BYTES);
        assertThat(BuildSummary.parse(failed).failure().reason()).isEqualTo("StepFailed");

        List<BuildSummary.Output> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(new BuildSummary.Output("tar", "img" + i + ".tar", "a".repeat(64), i, "s3://bucket/some/long/key/img" + i));
        }
        String json = BuildSummary.success(many, "s3://b/r").toTerminationMessage();
        assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(BuildSummary.MAX_BYTES);
        assertThat(BuildSummary.parse(json).failure().reason()).isEqualTo("SummaryTruncated");
    }

    @Test
    void garbageIsNotASummary() {
        assertThat(BuildSummary.parse("Error: OOM")).isNull();
        assertThat(BuildSummary.parse("")).isNull();
    }
}
