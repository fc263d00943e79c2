package dev.twinbuild.operator.policy;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.S3Store;
import dev.twinbuild.api.v1alpha1.SystemImageSpec;
import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.policy.TenantPolicy.Refusal;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TenantPolicyTest {
    private static final String CONFIGURED = "registry.example/twinbuild/builder:0.1.0";
    private static final String DIGEST = "@sha256:" + "ab".repeat(32);
    private static final ArtifactStore OWN = s3("http://s3.store.svc:9000", "twinbuild", null);

    private final TenantPolicy closed = TenantPolicy.closed();

    @Test
    void theOperatorsOwnImageAndStoreAreAlwaysAllowed() {
        SystemImageSpec spec = Fixtures.spec(2);
        assertThat(closed.check(spec, CONFIGURED, OWN)).isEmpty();
        spec.builderImage = CONFIGURED;
        spec.store = s3("HTTP://S3.store.svc:9000/", "twinbuild", ""); // the same server, spelt differently
        assertThat(closed.check(spec, CONFIGURED, OWN)).isEmpty();
    }

    @Test
    void byDefaultAnotherBuilderImageIsRefusedNamingFieldAndSetting() {
        SystemImageSpec spec = Fixtures.spec(2);
        spec.builderImage = "docker.io/library/alpine:3.20";

        Refusal r = closed.check(spec, CONFIGURED, OWN).orElseThrow();

        assertThat(r.reason()).isEqualTo("BuilderImageNotAllowed");
        assertThat(r.message()).contains("spec.builderImage \"docker.io/library/alpine:3.20\"")
                .contains("policy.builderImages").contains("twinbuild.policy.builder-images").contains(CONFIGURED);
    }

    @Test
    void allowListTakesExactReferencesAndStarPrefixes() {
        TenantPolicy p = new TenantPolicy(List.of("registry.example/team-a/*", "registry.example/b" + DIGEST), true,
                List.of(), false, List.of());
        assertThat(p.check(image("registry.example/team-a/builder" + DIGEST), CONFIGURED, OWN)).isEmpty();
        assertThat(p.check(image("registry.example/b" + DIGEST), CONFIGURED, OWN)).isEmpty();
        // A prefix is a prefix of the whole reference: "team-a/" does not admit "team-ab/".
        assertThat(reason(p.check(image("registry.example/team-ab/x" + DIGEST), CONFIGURED, OWN)))
                .isEqualTo("BuilderImageNotAllowed");
        assertThat(p.check(image("registry.example/team-ab/x" + DIGEST), CONFIGURED, OWN).orElseThrow().message())
                .contains("\"registry.example/team-a/*\", \"registry.example/b@sha256:");
    }

    @Test
    void aTenantImageMustBePinnedByDigestUnlessTheAdminSaysOtherwise() {
        List<String> allowed = List.of("registry.example/team-a/*");
        SystemImageSpec tagged = image("registry.example/team-a/builder:1.0");

        Refusal r = new TenantPolicy(allowed, true, List.of(), false, List.of()).check(tagged, CONFIGURED, OWN)
                .orElseThrow();
        assertThat(r.reason()).isEqualTo("BuilderImageNotPinned");
        assertThat(r.message()).contains("spec.builderImage").contains("policy.builderImageDigestRequired");

        assertThat(new TenantPolicy(allowed, false, List.of(), false, List.of()).check(tagged, CONFIGURED, OWN))
                .isEmpty();
        // The check wants a real digest, not the word.
        assertThat(reason(new TenantPolicy(allowed, true, List.of(), false, List.of())
                .check(image("registry.example/team-a/builder@sha256:latest"), CONFIGURED, OWN)))
                .isEqualTo("BuilderImageNotPinned");
    }

    @Test
    void byDefaultAnotherS3StoreIsRefused() {
        SystemImageSpec spec = Fixtures.spec(2);
        spec.store = s3("http://169.254.169.254", "latest", null);

        Refusal r = closed.check(spec, CONFIGURED, OWN).orElseThrow();

        assertThat(r.reason()).isEqualTo("StoreNotAllowed");
        assertThat(r.message()).contains("spec.store.s3").contains("http://169.254.169.254")
                .contains("policy.stores.s3").contains("twinbuild.policy.s3-stores");
    }

    @Test
    void theOwnStoreWithAnotherBucketOrPrefixIsAnotherStore() {
        SystemImageSpec spec = Fixtures.spec(2);
        spec.store = s3("http://s3.store.svc:9000", "other", null);
        assertThat(reason(closed.check(spec, CONFIGURED, OWN))).isEqualTo("StoreNotAllowed");
        spec.store = s3("http://s3.store.svc:9000", "twinbuild", "team-b");
        assertThat(reason(closed.check(spec, CONFIGURED, OWN))).isEqualTo("StoreNotAllowed");
        spec.store = s3("https://s3.store.svc:9000", "twinbuild", null);
        assertThat(reason(closed.check(spec, CONFIGURED, OWN))).isEqualTo("StoreNotAllowed");
        // Without a default store, no S3 store is the operator's own.
        spec.store = s3("http://s3.store.svc:9000", "twinbuild", null);
        assertThat(reason(closed.check(spec, CONFIGURED, null))).isEqualTo("StoreNotAllowed");
    }

    @Test
    void allowedS3StoresByEndpointAndBucket() {
        TenantPolicy p = new TenantPolicy(List.of(), true,
                List.of("https://s3.eu-west-1.amazonaws.com/team-a", "http://minio.storage:9000/*"), false, List.of());
        SystemImageSpec spec = Fixtures.spec(2);
        spec.store = s3("https://s3.eu-west-1.amazonaws.com:443", "team-a", "images");
        assertThat(p.check(spec, CONFIGURED, OWN)).isEmpty();
        spec.store = s3("https://s3.eu-west-1.amazonaws.com", "team-b", null);
        assertThat(reason(p.check(spec, CONFIGURED, OWN))).isEqualTo("StoreNotAllowed");
        assertThat(p.check(spec, CONFIGURED, OWN).orElseThrow().message())
                .contains("\"https://s3.eu-west-1.amazonaws.com/team-a\", \"http://minio.storage:9000/*\"");
        spec.store = s3("http://minio.storage:9000", "anything", null);
        assertThat(p.check(spec, CONFIGURED, OWN)).isEmpty();
        spec.store = s3("http://minio.storage:9001", "anything", null);
        assertThat(reason(p.check(spec, CONFIGURED, OWN))).isEqualTo("StoreNotAllowed");
    }

    @Test
    void endpointsWithCredentialsOrQueriesAreRefused() {
        TenantPolicy p = new TenantPolicy(List.of(), true, List.of("http://minio.storage:9000/*"), false, List.of());
        SystemImageSpec spec = Fixtures.spec(2);
        spec.store = s3("http://user:pw@minio.storage:9000", "a", null);
        assertThat(p.check(spec, CONFIGURED, OWN).orElseThrow().message()).startsWith("spec.store.s3.endpoint:")
                .doesNotContain("pw");
        spec.store = s3("http://minio.storage:9000?x=1", "a", null);
        assertThat(reason(p.check(spec, CONFIGURED, OWN))).isEqualTo("StoreNotAllowed");
    }

    @Test
    void malformedAllowListEntriesFailAtStartNamingTheSetting() {
        assertThatThrownBy(() -> new TenantPolicy(List.of(), true, List.of("http://minio:9000"), false, List.of()))
                .hasMessageContaining("policy.stores.s3").hasMessageContaining("<endpoint>/<bucket>");
        assertThatThrownBy(() -> new TenantPolicy(List.of(), true, List.of("minio/bucket"), false, List.of()))
                .hasMessageContaining("policy.stores.s3");
    }

    @Test
    void pvcStoresAreOffByDefaultAndCanBeLimitedToClaims() {
        SystemImageSpec spec = Fixtures.spec(2);
        spec.store = Fixtures.pvcStore();

        Refusal r = closed.check(spec, CONFIGURED, OWN).orElseThrow();
        assertThat(r.reason()).isEqualTo("PvcStoreNotAllowed");
        assertThat(r.message()).contains("spec.store.pvc").contains("\"artifacts\"").contains("policy.stores.pvc.allowed");

        assertThat(new TenantPolicy(List.of(), true, List.of(), true, List.of()).check(spec, CONFIGURED, OWN)).isEmpty();
        TenantPolicy claims = new TenantPolicy(List.of(), true, List.of(), true, List.of("builds"));
        assertThat(claims.check(spec, CONFIGURED, OWN).orElseThrow().message()).contains("policy.stores.pvc.claims")
                .contains("\"builds\"");
        // The operator's own PVC store, named again, is its own.
        assertThat(closed.check(spec, CONFIGURED, Fixtures.pvcStore())).isEmpty();
    }

    @Test
    void theImageIsCheckedFirstAndTheReasonsAreKnown() {
        SystemImageSpec spec = image("evil/image:1");
        spec.store = Fixtures.pvcStore();
        assertThat(reason(closed.check(spec, CONFIGURED, OWN))).isEqualTo("BuilderImageNotAllowed");
        for (String r : List.of("BuilderImageNotAllowed", "BuilderImageNotPinned", "StoreNotAllowed",
                "PvcStoreNotAllowed")) {
            assertThat(TenantPolicy.isPolicyReason(r)).isTrue();
        }
        assertThat(TenantPolicy.isPolicyReason("InvalidSpec")).isFalse();
        assertThat(TenantPolicy.isPolicyReason(null)).isFalse();
    }

    @Test
    void longAllowListsAreCutInMessages() {
        List<String> many = List.of("a/*", "b/*", "c/*", "d/*", "e/*", "f/*", "g/*");
        String msg = new TenantPolicy(many, true, List.of(), false, List.of())
                .check(image("z/z" + DIGEST), CONFIGURED, OWN).orElseThrow().message();
        assertThat(msg).contains("\"e/*\" and 2 more").doesNotContain("\"f/*\"");
    }

    private static SystemImageSpec image(String image) {
        SystemImageSpec spec = Fixtures.spec(2);
        spec.builderImage = image;
        return spec;
    }

    private static String reason(Optional<Refusal> r) {
        return r.map(Refusal::reason).orElse(null);
    }

    private static ArtifactStore s3(String endpoint, String bucket, String prefix) {
        ArtifactStore store = new ArtifactStore();
        store.s3 = new S3Store();
        store.s3.endpoint = endpoint;
        store.s3.bucket = bucket;
        store.s3.prefix = prefix;
        store.s3.credentialsSecret = "s3";
        return store;
    }
}
