package dev.twinbuild.pipeline.fetch;

import dev.twinbuild.pipeline.InputException;
import dev.twinbuild.testing.DockerRegistry;
import dev.twinbuild.testing.TokenIssuer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Bearer token auth against the real registry (distribution's token auth: it verifies the JWTs a token
 * service signs): the challenge is answered with a token asked for with the configured credentials, the
 * token is reused, and a token the registry refuses is refreshed once.
 */
class RegistryTokenAuthTest {
    private static final String FIELD = "spec.layers[0].oci";
    private static final Retry FAST = new Retry(3, Duration.ofMillis(100), Duration.ofMillis(400));

    @TempDir
    static Path tmp;
    private static TokenIssuer tokens;
    private static DockerRegistry registry;
    private static String image;

    @BeforeAll
    static void start() throws Exception {
        tokens = new TokenIssuer(tmp.resolve("issuer"));
        registry = DockerRegistry.withTokenAuth(tmp.resolve("registry"), tokens.realm(), tokens.certificate());
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(new byte[1024]); // an empty tar: two zero blocks
        }
        String digest = registry.push("team/app", List.of(gz.toByteArray()),
                List.of("application/vnd.oci.image.layer.v1.tar+gzip"), "Bearer " + tokens.tokenFor("team/app"));
        image = registry.host() + "/team/app@" + digest;
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    private OciPuller puller(Path dir, String password) throws Exception {
        DockerConfig creds = password == null ? DockerConfig.empty()
                : DockerConfig.load(registry.dockerConfig(dir.resolve("config.json"), password));
        return new OciPuller(new Fetcher(dir.resolve("cache"), 1 << 24, FAST), creds);
    }

    @Test
    void aTokenAskedForWithTheCredentialsIsUsedForManifestAndBlobs(@TempDir Path dir) throws Exception {
        int before = tokens.issued.get();
        assertThat(puller(dir, DockerRegistry.PASSWORD).pull(image, "linux/amd64", FIELD)).hasSize(1);
        assertThat(tokens.issued.get() - before).as("one token for manifest and blob").isEqualTo(1);
    }

    @Test
    void aTokenTheRegistryRefusesIsRefreshedOnce(@TempDir Path dir) throws Exception {
        int before = tokens.issued.get();
        tokens.emptyTokens.set(1); // the first token grants nothing: the registry answers 401 with it
        assertThat(puller(dir, DockerRegistry.PASSWORD).pull(image, "linux/amd64", FIELD)).hasSize(1);
        assertThat(tokens.issued.get() - before).isEqualTo(2);
    }

    @Test
    void withoutCredentialsTheTokenServiceRefusesAndThatIsBadInput(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> puller(dir, null).pull(image, "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> assertThat(e.getMessage())
                        .contains("token endpoint", "HTTP 401", "no credentials configured"));
        assertThatThrownBy(() -> puller(dir, "wrong").pull(image, "linux/amd64", FIELD))
                .isInstanceOfSatisfying(InputException.class, e -> assertThat(e.getMessage())
                        .contains("HTTP 401", "user '" + DockerRegistry.USER + "'").doesNotContain("wrong"));
    }
}
