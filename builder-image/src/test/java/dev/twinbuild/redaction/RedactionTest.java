package dev.twinbuild.redaction;

import dev.twinbuild.store.BuildSummary;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RedactionTest {
    private static final String PRESIGNED = "http://10.0.0.5:80/twinbuild/ns/img/0123456789/b0/img.tar"
            + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20261129%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20261129T153000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
            + "&X-Amz-Security-Token=FQoGZXIvYXdzEJr&X-Amz-Signature=0123456789abcdef";

    @Test
    void presignedQueryStringsAreRemoved() {
        String out = Redaction.redact("upload failed: PUT " + PRESIGNED + " -> 503");
        assertThat(out).isEqualTo("upload failed: PUT http://10.0.0.5:80/twinbuild/ns/img/0123456789/b0/img.tar"
                + "?REDACTED -> 503");
        assertThat(out).doesNotContain("AKIAEXAMPLE", "FQoGZXIvYXdzEJr", "0123456789abcdef", "X-Amz");
    }

    @Test
    void userInfoIsRemoved() {
        assertThat(Redaction.redact("fetching https://alice:s3cr3t@example.org/rootfs.tar failed"))
                .isEqualTo("fetching https://REDACTED@example.org/rootfs.tar failed");
        assertThat(Redaction.redact("s3://key:secret@bucket/x")).isEqualTo("s3://REDACTED@bucket/x");
    }

    @Test
    void bareSigningParametersAndAuthorizationHeadersAreRemoved() {
        assertThat(Redaction.redact("<Message>X-Amz-Signature=abcdef does not match</Message>"))
                .isEqualTo("<Message>X-Amz-Signature=REDACTED does not match</Message>");
        assertThat(Redaction.redact("Authorization: AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=ff"))
                .isEqualTo("Authorization: REDACTED");
        assertThat(Redaction.redact("x-amz-security-token: IQoJb3JpZ2lu")).isEqualTo("x-amz-security-token: REDACTED");
    }

    @Test
    void ordinaryTextAndUrlsWithoutSecretsAreKept() {
        String s = "s3://twinbuild/ns/img/0123456789/b0/img.tar has sha256 abc, expected def (https://example.org/a.tar)";
        assertThat(Redaction.redact(s)).isEqualTo(s);
        assertThat(Redaction.redact(null)).isNull();
        assertThat(Redaction.redact("")).isEmpty();
    }

    @Test
    void aBuildSummaryFailureLeavesThePodRedacted() {
        String msg = BuildSummary.failed("StoreUnreachable", "upload of img.tar failed: " + PRESIGNED).toTerminationMessage();
        assertThat(msg).contains("img.tar?REDACTED").doesNotContain("X-Amz-Signature", "AKIAEXAMPLE");
    }
}
