package dev.twinbuild.operator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinbuild.operator.api.v1alpha1.Phase;
import dev.twinbuild.operator.gitops.StatusFixtures;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The chart's Grafana dashboard asks only for metrics the operator registers, under their exported names. */
class GrafanaDashboardTest {
    static final Path DASHBOARD = Path.of(System.getProperty("twinbuild.repo", ".."))
            .resolve("helm/twinbuild/dashboards/twinbuild.json");
    private static final Pattern METRIC = Pattern.compile("\\btwinbuild_[a-z0-9_]+");
    private static final Pattern SAMPLE = Pattern.compile("^(twinbuild_[a-z0-9_]+)(?:\\{([^}]*)})? ");

    /** Every series the operator exports once it has seen a build, a verdict of each kind and a cache. */
    private static String scrape() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BuildMetrics metrics = new BuildMetrics(registry);
        metrics.watch(() -> StatusFixtures.all().values().stream());
        metrics.buildStarted();
        metrics.buildFinished("succeeded", Duration.ofSeconds(95));
        metrics.buildFinished("failed", Duration.ofSeconds(3));
        for (Phase p : Phase.values()) {
            if (p.isFinal()) {
                metrics.verdict(p, Duration.ofSeconds(2));
            }
        }
        return registry.scrape();
    }

    @Test
    void everyQueryNamesARegisteredMetric() throws Exception {
        Set<String> exported = new TreeSet<>();
        scrape().lines().map(SAMPLE::matcher).filter(Matcher::find).forEach(m -> exported.add(m.group(1)));
        List<String> exprs = new ArrayList<>();
        new ObjectMapper().readTree(DASHBOARD.toFile()).findValues("expr").forEach(e -> exprs.add(e.asText()));
        assertThat(exprs).as("queries in %s", DASHBOARD).hasSizeGreaterThan(5);
        Set<String> used = new TreeSet<>();
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                used.add(m.group());
            }
        }
        assertThat(exported).as("exported twinbuild_* series").containsAll(used);
        // the headline metrics of the issue are there, under Prometheus names
        assertThat(exported).contains("twinbuild_systemimages", "twinbuild_verifications_total",
                "twinbuild_build_duration_seconds_bucket", "twinbuild_last_verification_timestamp_seconds");
    }

    @Test
    void labelsAreBoundedEnumsNeverDigestsPathsOrNodes() {
        Set<String> labels = new TreeSet<>();
        Pattern label = Pattern.compile("([a-z_]+)=\"");
        scrape().lines().map(SAMPLE::matcher).filter(Matcher::find).filter(m -> m.group(2) != null)
                .forEach(m -> label.matcher(m.group(2)).results().forEach(r -> labels.add(r.group(1))));
        assertThat(labels).isSubsetOf("phase", "outcome", "result", "le", "quantile");
    }

    @Test
    void lastVerificationIsTheNewestVerdictInTheCache() {
        String line = scrape().lines().filter(l -> l.startsWith("twinbuild_last_verification_timestamp_seconds "))
                .findFirst().orElseThrow();
        double value = Double.parseDouble(line.substring(line.indexOf(' ') + 1));
        assertThat(value).isEqualTo(1795946700.0); // 2026-11-29T10:05:00Z, when the fixtures' verdicts were written
    }
}
