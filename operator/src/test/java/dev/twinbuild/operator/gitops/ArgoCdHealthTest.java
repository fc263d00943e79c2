package dev.twinbuild.operator.gitops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * gitops/argocd: the SystemImage health check in Argo CD's resource_customizations layout and as an
 * argocd-cm snippet. The fixtures are what the operator writes ({@link StatusFixtures}); refresh them
 * with -Dtwinbuild.fixtures.update=true and review the diff.
 */
class ArgoCdHealthTest {
    static final Path ARGOCD = Path.of(System.getProperty("twinbuild.repo", "..")).resolve("gitops/argocd");
    static final Path DIR = ARGOCD.resolve("resource_customizations/twinbuild.dev/SystemImage");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void fixturesAreWhatTheOperatorWrites() throws Exception {
        boolean update = Boolean.getBoolean("twinbuild.fixtures.update");
        for (Map.Entry<String, SystemImage> e : StatusFixtures.all().entrySet()) {
            Path file = DIR.resolve("testdata/" + e.getKey() + ".yaml");
            String yaml = "# Made by StatusFixtures from the operator's StatusComposer: do not edit.\n"
                    + Serialization.asYaml(e.getValue()).replaceFirst("^---\n", "");
            if (update) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, yaml);
            }
            assertThat(file).as("%s (refresh with -Dtwinbuild.fixtures.update=true)", file).hasContent(yaml);
        }
        try (Stream<Path> files = Files.list(DIR.resolve("testdata"))) {
            assertThat(files.map(p -> p.getFileName().toString().replace(".yaml", "")))
                    .as("no stale fixtures").containsExactlyInAnyOrderElementsOf(StatusFixtures.all().keySet());
        }
    }

    @Test
    void everyFixtureHasItsExpectedHealthInLuaJ() throws Exception {
        String script = Files.readString(DIR.resolve("health.lua"));
        for (HealthCase c : cases()) {
            assertThat(LuaHealth.luaj(script, c.object())).as(c.inputPath()).isEqualTo(c.expected());
        }
    }

    @Test
    void everyFixtureHasItsExpectedHealthInLua51() throws Exception {
        // Debian's lua5.1, installed by .ci/setup.sh: the reference interpreter of the language gopher-lua implements
        Path work = Files.createDirectories(Path.of("target/lua"));
        for (HealthCase c : cases()) {
            assertThat(LuaHealth.lua51("lua5.1", DIR.resolve("health.lua"), c.object(), work)).as(c.inputPath())
                    .isEqualTo(c.expected());
        }
    }

    @Test
    void healthTestCoversEveryFixtureAndEveryHealth() throws Exception {
        List<HealthCase> cases = cases();
        assertThat(cases).extracting(HealthCase::inputPath).containsExactlyInAnyOrderElementsOf(
                StatusFixtures.all().keySet().stream().map(k -> "testdata/" + k + ".yaml").toList());
        assertThat(new TreeSet<>(cases.stream().map(c -> c.expected().status()).toList()))
                .containsExactly("Degraded", "Healthy", "Progressing");
        // each fixture's file name starts with the health it must get, as in Argo CD's own tree
        cases.forEach(c -> assertThat(c.inputPath()).startsWith("testdata/" + c.expected().status().toLowerCase() + "_"));
    }

    @Test
    void argocdCmSnippetCarriesTheSameScript() throws Exception {
        Map<?, ?> cm = YAML.readValue(ARGOCD.resolve("argocd-cm.yaml").toFile(), Map.class);
        Object inline = ((Map<?, ?>) cm.get("data")).get("resource.customizations.health.twinbuild.dev_SystemImage");
        assertThat(inline).as("argocd-cm.yaml data.resource.customizations.health.twinbuild.dev_SystemImage")
                .isEqualTo(Files.readString(DIR.resolve("health.lua")));
    }

    record HealthCase(String inputPath, LuaHealth.Result expected, Map<String, Object> object) {
    }

    @SuppressWarnings("unchecked")
    static List<HealthCase> cases() throws Exception {
        Map<?, ?> doc = YAML.readValue(DIR.resolve("health_test.yaml").toFile(), Map.class);
        List<HealthCase> out = new ArrayList<>();
        for (Object t : (List<?>) doc.get("tests")) {
            Map<?, ?> test = (Map<?, ?>) t;
            Map<?, ?> hs = (Map<?, ?>) test.get("healthStatus");
            String input = (String) test.get("inputPath");
            Map<String, Object> obj = YAML.readValue(DIR.resolve(input).toFile(), Map.class);
            out.add(new HealthCase(input, new LuaHealth.Result((String) hs.get("status"), (String) hs.get("message")),
                    obj));
        }
        return out;
    }
}
