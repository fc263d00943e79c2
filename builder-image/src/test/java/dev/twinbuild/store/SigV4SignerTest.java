package dev.twinbuild.store;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;

class SigV4SignerTest {

    /** The "GET Object" example of the AWS S3 SigV4 documentation (header-based authentication). */
    @Test
    void matchesTheAwsDocumentationExample() {
        SigV4Signer signer = new SigV4Signer(new S3Credentials("AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", null), "us-east-1");
        SortedMap<String, String> headers = signer.sign("GET", URI.create("https://examplebucket.s3.amazonaws.com/test.txt"),
                Map.of("Range", "bytes=0-9"), Sha256.EMPTY, Instant.parse("2013-05-24T00:00:00Z"));

        assertThat(headers.get("authorization")).isEqualTo("AWS4-HMAC-SHA256 "
                + "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
        assertThat(headers).containsEntry("x-amz-date", "20130524T000000Z").doesNotContainKey("host");
    }

    @Test
    void hostHeaderKeepsOnlyNonDefaultPorts() {
        assertThat(SigV4Signer.hostHeader(URI.create("http://minio:9000/b/k"))).isEqualTo("minio:9000");
        assertThat(SigV4Signer.hostHeader(URI.create("https://s3.example.org:443/b"))).isEqualTo("s3.example.org");
        assertThat(SigV4Signer.hostHeader(URI.create("http://s3.example.org/b"))).isEqualTo("s3.example.org");
    }

    @Test
    void encodesKeysSegmentBySegment() {
        assertThat(SigV4Signer.encodePath("ns/image name/a+b=c/é.tar")).isEqualTo("ns/image%20name/a%2Bb%3Dc/%C3%A9.tar");
    }
}
