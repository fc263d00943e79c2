package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.config.OperatorSettings;
import dev.twinbuild.operator.config.ReverifySettings;
import dev.twinbuild.operator.reconciler.SystemImageReconciler;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.Controller;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The operator under test, wired as the application wires it ({@link TestOperators}) against {@link KubeApi}'s
 * cluster. A test starts it with its settings, may stop and start it again (a restart), and finds it stopped
 * after each test whatever happened. Register with {@code @RegisterExtension}.
 */
final class RunningOperator implements AfterEachCallback {
    private final KubeApi api;
    private Operator operator;

    RunningOperator(KubeApi api) {
        this.api = api;
    }

    /** @param namespaces the watched namespaces; none: the test's namespace */
    Operator start(OperatorSettings settings, MeterRegistry registry, long maxDiffBytes, String... namespaces) {
        return start(settings, ReverifySettings.defaults(), registry, maxDiffBytes, namespaces);
    }

    Operator start(OperatorSettings settings, ReverifySettings reverify, MeterRegistry registry, long maxDiffBytes,
                   String... namespaces) {
        if (operator != null) {
            throw new IllegalStateException("the operator runs already: stop() it first");
        }
        operator = TestOperators.start(api.client(), settings, reverify, registry, maxDiffBytes,
                namespaces.length == 0 ? new String[] {api.namespace()} : namespaces);
        return operator;
    }

    /** Stops the running operator, if any (a restart: stop, then start). */
    void stop() {
        if (operator != null) {
            operator.stop();
            operator = null;
        }
    }

    /** The running operator's SystemImage controller (its caches, its event sources). */
    @SuppressWarnings("unchecked")
    Controller<dev.twinbuild.operator.api.v1alpha1.SystemImage> controller() {
        if (operator == null) {
            throw new IllegalStateException("no operator runs");
        }
        return (Controller<dev.twinbuild.operator.api.v1alpha1.SystemImage>) operator
                .getRegisteredController(SystemImageReconciler.NAME).orElseThrow();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stop();
    }
}
