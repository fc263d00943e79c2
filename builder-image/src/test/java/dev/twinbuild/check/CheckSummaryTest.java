package dev.twinbuild.check;

import dev.twinbuild.store.BuildSummary;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class CheckSummaryTest {

    @Test
    void manyLongPathsAreCutToFitTheTerminationMessageAndCounted() {
        List<String> paths = IntStream.range(0, 5000).mapToObj(i -> "./usr/share/" + "x".repeat(400) + i).toList();
        CheckSummary s = new CheckSummary(6, null, paths, paths.size(),
                Map.of("diff-report.txt", "s3://b/ns/img/0123456789/report/diff-report.txt"), "n".repeat(3000));
        String message = s.toTerminationMessage();
        assertThat(message.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(BuildSummary.MAX_BYTES);
        CheckSummary read = CheckSummary.parse(message);
        assertThat(read.differingPathCount()).isEqualTo(5000);
        assertThat(read.differingPaths()).isNotEmpty().hasSizeLessThan(CheckSummary.MAX_PATHS)
                .allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(CheckSummary.MAX_PATH));
        assertThat(read.reports()).containsKey("diff-report.txt");
        assertThat(read.verified()).isEqualTo(6);
    }

    @Test
    void aFailureIsRedactedAndKeepsItsReason() {
        String message = CheckSummary.failed(1, "StoredDigestMismatch",
                "read back https://s3.example/b/k?X-Amz-Signature=abcdef0123456789 failed").toTerminationMessage();
        CheckSummary read = CheckSummary.parse(message);
        assertThat(read.succeeded()).isFalse();
        assertThat(read.failure().reason()).isEqualTo("StoredDigestMismatch");
        assertThat(read.failure().message()).doesNotContain("abcdef0123456789");
    }

    @Test
    void aMessageThatIsNoSummaryIsNull() {
        assertThat(CheckSummary.parse("Error: java.lang.OutOfMemoryError")).isNull();
        assertThat(CheckSummary.parse("")).isNull();
    }
}
