package dev.twinbuild.operator.store;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An {@link S3ProxyServer} (a real S3 API in-process) for a test class, with the operator's {@link StoreClients}
 * on it: started before the class's tests, both closed after them. Register as a static field with
 * {@code @RegisterExtension}.
 */
public final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {
    private S3ProxyServer server;
    private StoreClients clients;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = new S3ProxyServer();
        clients = new StoreClients(null, server.store(), S3ProxyServer.settings(), S3ProxyServer.credentials());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (clients != null) {
                clients.close();
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    public S3ProxyServer server() {
        return server;
    }

    /** The operator's view of the bucket ({@link S3ProxyServer#access}). */
    public S3Access access() {
        return server.access;
    }

    /** The store as a spec names it ({@link S3ProxyServer#store()}). */
    public dev.twinbuild.api.v1alpha1.ArtifactStore store() {
        return server.store();
    }

    public java.net.URI endpoint() {
        return server.endpoint();
    }

    /** The operator's store clients, without a Kubernetes client (no per-namespace credentials Secret). */
    public StoreClients clients() {
        return clients;
    }
}
