package dev.twinbuild.store;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

import java.net.URI;

/** A real S3 API server (s3proxy, in memory) checking SigV4 signatures with fixed credentials. */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "twinbuild-test";
    static final String SECRET_KEY = "twinbuild-test-secret";

    private final S3Proxy proxy;

    S3ProxyServer() throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(new TransientNio2BlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        for (int i = 0; i < 500 && !"STARTED".equals(proxy.getState()); i++) {
            Thread.sleep(10);
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
