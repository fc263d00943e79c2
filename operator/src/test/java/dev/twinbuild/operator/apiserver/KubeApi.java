package dev.twinbuild.operator.apiserver;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.Locale;

/**
 * The API-server tests' cluster: the JVM's one kube-apiserver ({@link ApiServer}; under CI=true its absence
 * fails the test) and the namespaces a test class works in — either a fixed set made before its tests, or a
 * new one for each test, named after the test method. Register as a static field with {@code @RegisterExtension}.
 */
final class KubeApi implements BeforeAllCallback, BeforeEachCallback {
    private static final int MAX_NAME = 50;
    private final String prefix;
    private final List<String> fixed;
    private KubernetesClient client;
    private String namespace;

    private KubeApi(String prefix, List<String> fixed) {
        this.prefix = prefix;
        this.fixed = fixed;
    }

    /** A namespace per test: {@code prefix} + the test method's name in kebab case, at most 50 characters. */
    static KubeApi namespacePerTest(String prefix) {
        return new KubeApi(prefix, List.of());
    }

    /** These namespaces, made once before the class's tests; {@link #namespace()} is the first. */
    static KubeApi namespaces(String... names) {
        return new KubeApi(null, List.of(names));
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        client = ApiServer.client();
        fixed.forEach(this::create);
        namespace = fixed.isEmpty() ? null : fixed.get(0);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (prefix == null) {
            return;
        }
        String name = prefix + context.getRequiredTestMethod().getName().replaceAll("([A-Z])", "-$1")
                .toLowerCase(Locale.ROOT);
        namespace = name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name;
        create(namespace);
    }

    private void create(String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
    }

    KubernetesClient client() {
        return client;
    }

    /** The current test's namespace (the first fixed one, for a class with fixed namespaces). */
    String namespace() {
        return namespace;
    }
}
