package dev.twinbuild.operator.store;

import dev.twinbuild.api.v1alpha1.ArtifactStore;
import dev.twinbuild.api.v1alpha1.S3Store;
import org.awaitility.Awaitility;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

import java.net.URI;
import java.time.Duration;

/**
 * A real S3 API server in-process (s3proxy, in memory, checking SigV4 signatures and presigned URLs),
 * the operator's artifact store in these tests. Only the operator gets {@link #credentials()}.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "twinbuild-it";
    public static final String SECRET_KEY = "twinbuild-it-secret";
    public static final String BUCKET = "artifacts";

    private final S3Proxy proxy;
    /** The operator's view of the bucket, with its credentials and small parts (5 MiB). */
    public final S3Access access;

    public S3ProxyServer() throws Exception {
        proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        Awaitility.await("s3proxy started").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> "STARTED".equals(proxy.getState()));
        access = new S3Access(endpoint(), null, BUCKET, credentials(), settings());
        access.createBucket();
    }

    public static S3Settings settings() {
        return S3Settings.defaults().withPartSize(S3Settings.MIN_PART);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    public static AwsCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    /** The operator's default store: no credentialsSecret, the operator's own credentials. */
    public ArtifactStore store() {
        ArtifactStore store = new ArtifactStore();
        store.s3 = new S3Store();
        store.s3.endpoint = endpoint().toString();
        store.s3.bucket = BUCKET;
        return store;
    }

    @Override
    public void close() throws Exception {
        access.close();
        proxy.stop();
    }
}
