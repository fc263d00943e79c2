package dev.twinbuild.operator.apiserver;

import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One real kube-apiserver (+ etcd) per test JVM, from locally built binaries (e2e/k8s-binaries.sh);
 * kube-api-test runs offline: it must never try to download.
 */
public final class ApiServer {
    private static KubeAPIServer server;
    private static KubernetesClient client;

    private ApiServer() {
    }

    public static synchronized KubernetesClient client() throws Exception {
        if (client != null) {
            return client;
        }
        String dir = System.getProperty("kube-api-test.dir", System.getProperty("user.home") + "/.kubeapitest");
        String version = System.getProperty("kube-api-test.k8s-version", "1.33.13");
        Path bin = Path.of(dir, "k8s", version + "-linux-amd64");
        boolean present = Files.isExecutable(bin.resolve("kube-apiserver")) && Files.isExecutable(bin.resolve("etcd"))
                && Files.isExecutable(bin.resolve("kubectl"));
        String missing = "kube-apiserver/etcd/kubectl not found in " + bin + ": run e2e/k8s-binaries.sh first";
        // On CI a missing binary is a broken setup, not a reason to pass: fail. Locally, skip.
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(missing + " (CI=true: API-server tests must run)");
        }
        assumeTrue(present, missing);
        server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withOfflineMode(true).withTestDir(dir).withApiServerVersion(version)
                .withUpdateKubeConfig(false).build());
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
        client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(server.getKubeConfigYaml())).build();
        applyCrd(client);
        return client;
    }

    /** For processes started by a test (the operator jar): a kubeconfig with the admin's client certificate. */
    public static synchronized String kubeConfigYaml() throws Exception {
        client();
        return server.getKubeConfigYaml();
    }

    private static void applyCrd(KubernetesClient client) throws Exception {
        Path crd = Path.of(System.getProperty("twinbuild.generated.crds", "target/kubernetes"))
                .resolve("systemimages.twinbuild.dev-v1.yml");
        try (InputStream in = new FileInputStream(crd.toFile())) {
            CustomResourceDefinition def = client.apiextensions().v1().customResourceDefinitions().load(in).item();
            client.resource(def).serverSideApply();
        }
        client.apiextensions().v1().customResourceDefinitions().withName("systemimages.twinbuild.dev")
                .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions() != null
                        && c.getStatus().getConditions().stream().anyMatch(x -> "Established".equals(x.getType())
                        && "True".equals(x.getStatus())), 30, TimeUnit.SECONDS);
        // The informers list SystemImages as soon as the operator starts: wait until the API serves them.
        Poll.until(Duration.ofSeconds(30), () -> {
            try {
                client.resources(SystemImage.class).inAnyNamespace().list();
                return true;
            } catch (RuntimeException e) {
                return false;
            }
        });
    }
}
