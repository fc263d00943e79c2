package dev.twinbuild.operator.apiserver;

import dev.twinbuild.store.S3Credentials;
import dev.twinbuild.store.S3ObjectStore;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

import java.net.URI;

/** A real S3 API server in-process (s3proxy, in memory), the operator's artifact store in these tests. */
final class S3Proxy implements AutoCloseable {
    static final String ACCESS_KEY = "twinbuild-it";
    static final String SECRET_KEY = "twinbuild-it-secret";
    static final String BUCKET = "artifacts";

    private final org.gaul.s3proxy.S3Proxy proxy;
    final S3ObjectStore store;

    S3Proxy() throws Exception {
        proxy = org.gaul.s3proxy.S3Proxy.builder().blobStore(new TransientNio2BlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        for (int i = 0; i < 500 && !"STARTED".equals(proxy.getState()); i++) {
            Thread.sleep(10);
        }
        store = new S3ObjectStore(endpoint(), BUCKET, null, new S3Credentials(ACCESS_KEY, SECRET_KEY, null));
        store.createBucket();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
