package dev.twinbuild.operator.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.api.v1alpha1.SystemImageStatus;
import dev.twinbuild.operator.gitops.StatusFixtures;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard of the packaged operator (its runner jar, as a process) against a real kube-apiserver:
 * authorization by TokenReview + SubjectAccessReview with real service-account tokens, the JSON API,
 * and the page in a real headless Chromium, including a live update and the 500-image load figures.
 * SystemImages get their final status before the operator starts, so it leaves them as they are.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path WORK = Path.of("target/dashboard-it");
    private static final List<String> FIGURES = new ArrayList<>();
    private static KubernetesClient client;
    private static Process operator;
    private static String base;
    private static String management;
    private static String tokenA;
    private static String tokenAll;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static int rows;

    @BeforeAll
    static void start() throws Exception {
        client = ApiServer.client();
        Files.createDirectories(WORK);
        for (String ns : List.of("dash-a", "dash-b", "dash-load")) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                    .create();
        }
        put("dash-a", "hello", StatusFixtures.reproducible(1));
        put("dash-a", "dated", StatusFixtures.unreproducible());
        put("dash-b", "other", StatusFixtures.reproducible(1));
        // 500 more for the load figures; all written before the operator starts, which then leaves them as they are
        long t0 = System.nanoTime();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        List<java.util.concurrent.Future<?>> puts = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int n = i;
            puts.add(pool.submit(() -> put("dash-load", String.format("img-%03d", n),
                    n % 10 == 0 ? StatusFixtures.unreproducible() : StatusFixtures.reproducible(1))));
        }
        for (java.util.concurrent.Future<?> f : puts) {
            f.get();
        }
        pool.shutdown();
        FIGURES.add("created 500 SystemImages with status (4 client threads): " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        tokenA = viewer("dash-a", "viewer-a", false);
        tokenAll = viewer("dash-b", "viewer-all", true);

        Path kubeconfig = WORK.resolve("kubeconfig");
        Files.writeString(kubeconfig, ApiServer.kubeConfigYaml());
        int http = freePort();
        int mgmt = freePort();
        Path jar;
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "*-runner.jar")) {
            jar = jars.iterator().next();
        }
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx256m", "-jar", jar.toString())
                .redirectErrorStream(true).redirectOutput(WORK.resolve("operator.log").toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
        pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(http));
        pb.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(mgmt));
        pb.environment().put("TWINBUILD_DASHBOARD_AUTH", "token");
        operator = pb.start();
        base = "http://127.0.0.1:" + http;
        management = "http://127.0.0.1:" + mgmt;
        Poll.until(WAIT, () -> status(management + "/q/health/ready", null) == 200);
        // the informer has listed all images
        String[] last = {""};
        try {
            Poll.until(WAIT, () -> {
                try {
                    HttpResponse<String> r = get(base + "/api/v1/overview", tokenAll);
                    last[0] = r.statusCode() + " " + r.body().substring(0, Math.min(300, r.body().length()));
                    JsonNode o = JSON.readTree(r.body());
                    return r.statusCode() == 200 && total(o, "dash-a") == 2 && total(o, "dash-b") == 1
                            && total(o, "dash-load") == 500;
                } catch (IOException e) {
                    last[0] = e.toString();
                    return false;
                }
            });
        } catch (AssertionError e) {
            throw new AssertionError("the dashboard did not show the 503 images; last answer: " + last[0], e);
        }
        // other tests of this JVM share the API server: these many images are on the page in all
        rows = overview(tokenAll).path("overall").path("total").asInt();
        // As QOSDK wires it (ConfigurableReconciler), the packaged operator's informers drop managedFields.
        assertThat(Files.readString(WORK.resolve("operator.log")))
                .contains("informer caches of [JOSDK_ALL_NAMESPACES] keep no managedFields");
    }

    /** SystemImages in one namespace, from an overview's per-namespace headlines. */
    private static int total(JsonNode overview, String namespace) {
        for (JsonNode h : overview.path("namespaces")) {
            if (namespace.equals(h.path("namespace").asText())) {
                return h.path("total").asInt();
            }
        }
        return 0;
    }

    @AfterAll
    static void stop() throws Exception {
        if (operator != null) {
            operator.destroy();
            operator.waitFor(30, TimeUnit.SECONDS);
        }
        if (!FIGURES.isEmpty()) {
            Files.write(Path.of("target/twinbuild-figures-dashboard.txt"), FIGURES);
            FIGURES.forEach(System.out::println);
        }
    }

    @Test
    @Order(1)
    void aViewerSeesOnlyTheNamespacesWhereTheyMayListSystemImages() throws Exception {
        assertThat(status(base + "/api/v1/overview", null)).isEqualTo(401);
        HttpResponse<String> page = get(base + "/", null); // the page itself holds no data
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'self'"));
        assertThat(status(base + "/api/v1/overview", "not-a-token")).isEqualTo(401);

        JsonNode a = overview(tokenA);
        assertThat(a.path("viewer").asText()).isEqualTo("system:serviceaccount:dash-a:viewer-a");
        assertThat(a.path("images").findValuesAsText("name")).containsExactly("dated", "hello"); // failures first
        assertThat(a.path("overall").path("percentage").asDouble()).isEqualTo(50.0);
        assertThat(status(base + "/api/v1/namespaces/dash-b/systemimages/other", tokenA)).isEqualTo(404);

        JsonNode dated = JSON.readTree(get(base + "/api/v1/namespaces/dash-a/systemimages/dated", tokenA).body());
        assertThat(dated.path("mismatch").path("differingPaths").get(0).asText()).isEqualTo("./etc/build-date");
        assertThat(dated.path("builds").findValuesAsText("node")).containsExactly("node-a", "node-b");

        assertThat(overview(tokenAll).path("namespaces").findValuesAsText("namespace")).contains("dash-a", "dash-b", "dash-load");
    }

    @Test
    @Order(2)
    void thePageShowsVerdictsAndUpdatesWithoutReloading() throws Exception {
        try (Browser browser = new Browser(WORK.resolve("browser"))) {
            signIn(browser, tokenA);
            browser.open(base + "/");
            waitFor(browser, "return document.body.dataset.loadedAt || null;");
            browser.eval("window.twinbuildMarker = 42; return null;");
            assertThat(text(browser, "#headline .big")).contains("1 of 2").contains("50.0%");
            assertThat(text(browser, "#images tbody tr[data-name=dated] .verdict")).isEqualTo("Unreproducible");
            assertThat(text(browser, "#images tbody tr[data-name=hello] .verdict")).isEqualTo("Reproducible");
            assertThat(browser.eval("return document.querySelectorAll('#images tbody tr').length;").asInt()).isEqualTo(2);
            browser.screenshot(WORK.resolve("overview.png"));
            // filter and sort as a viewer does
            browser.eval("var f = document.getElementById('filter'); f.value = 'hello';"
                    + " f.dispatchEvent(new Event('input')); return null;");
            assertThat(browser.eval("return Array.from(document.querySelectorAll('#images tbody tr'))"
                    + ".filter(function (r) { return !r.hidden; }).length;").asInt()).isEqualTo(1);
            browser.eval("var f = document.getElementById('filter'); f.value = '';"
                    + " f.dispatchEvent(new Event('input')); document.querySelector('#images th[data-key=\"1\"]').click();"
                    + " return null;");
            assertThat(browser.eval("return document.querySelector('#images tbody tr').dataset.name;").asText())
                    .isEqualTo("dated");

            // a new verdict arrives: the page follows within its refresh interval, without a reload
            SystemImage hello = client.resources(SystemImage.class).inNamespace("dash-a").withName("hello").get();
            hello.setStatus(StatusFixtures.unreproducible());
            client.resource(hello).updateStatus();
            waitFor(browser, "return document.querySelector('#headline .big').textContent.indexOf('0 of 2') >= 0 || null;");
            assertThat(browser.eval("return window.twinbuildMarker;").asInt()).isEqualTo(42);
            assertThat(text(browser, "#images tbody tr[data-name=hello] .verdict")).isEqualTo("Unreproducible");

            browser.open(base + "/namespaces/dash-a/systemimages/dated");
            waitFor(browser, "return document.body.dataset.loadedAt || null;");
            assertThat(text(browser, ".differing-path")).isEqualTo("./etc/build-date");
            assertThat(browser.eval("return document.querySelectorAll('article.build').length;").asInt()).isEqualTo(2);
            assertThat(text(browser, "article.build[data-build=b1]")).contains("node-b").contains("timezone=GMT+12");
            browser.screenshot(WORK.resolve("detail.png"));
        }
    }

    @Test
    @Order(3)
    void fiveHundredSystemImages() throws Exception {

        List<Long> api = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            long s = System.nanoTime();
            HttpResponse<String> r = get(base + "/api/v1/overview", tokenAll);
            api.add((System.nanoTime() - s) / 1_000_000);
            assertThat(r.statusCode()).isEqualTo(200);
            if (i == 0) {
                FIGURES.add("JSON overview with " + rows + " SystemImages: " + r.body().length() / 1024 + " KiB");
            }
        }
        FIGURES.add("GET /api/v1/overview (" + rows + " images), 7 runs, median: " + median(api) + " ms, all: " + api);

        try (Browser browser = new Browser(WORK.resolve("browser-load"))) {
            signIn(browser, tokenAll);
            List<Long> loads = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                browser.open(base + "/");
                JsonNode loaded = waitFor(browser, "return document.body.dataset.loadedAt || null;");
                loads.add(Long.parseLong(loaded.asText()));
                assertThat(browser.eval("return document.querySelectorAll('#images tbody tr').length;").asInt())
                        .isEqualTo(rows);
            }
            FIGURES.add("Chromium page load (navigation start -> table of " + rows + " rendered), 5 runs, median: "
                    + median(loads) + " ms, all: " + loads);
            browser.screenshot(WORK.resolve("overview-503.png"));
        }
        String rss = Files.readAllLines(Path.of("/proc/" + operator.pid() + "/status")).stream()
                .filter(l -> l.startsWith("VmRSS")).findFirst().orElse("VmRSS: ?");
        FIGURES.add("operator process with the dashboard on, " + rows + " images in cache, -Xmx256m: " + rss.replaceAll("\\s+", " "));
        String metrics = get(management + "/q/metrics", null).body();
        double heap = metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        FIGURES.add("operator JVM heap used: " + Math.round(heap / 1048576) + " MiB");
    }

    // ---- helpers ----

    private static void put(String ns, String name, SystemImageStatus status) {
        SystemImage si = StatusFixtures.image(name, 1, null);
        si.getMetadata().setNamespace(ns);
        si.getMetadata().setCreationTimestamp(null);
        SystemImage created = client.resource(si).create();
        created.setStatus(status);
        client.resource(created).updateStatus();
    }

    /** A service account that may list SystemImages in its namespace (or everywhere), and a token for it. */
    private static String viewer(String ns, String name, boolean clusterWide) {
        client.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata().withName(name)
                .endMetadata().build()).create();
        if (client.rbac().clusterRoles().withName("si-viewer").get() == null) {
            client.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("si-viewer")
                    .endMetadata().addNewRule().withApiGroups("twinbuild.dev").withResources("systemimages")
                    .withVerbs("get", "list", "watch").endRule().build()).create();
        }
        if (clusterWide) {
            client.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                    .withName(name).endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "si-viewer")
                    .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(ns).endSubject().build())
                    .create();
        } else {
            client.rbac().roleBindings().inNamespace(ns).resource(new RoleBindingBuilder().withNewMetadata()
                    .withName(name).endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "si-viewer")
                    .addNewSubject().withKind("ServiceAccount").withName(name).withNamespace(ns).endSubject().build())
                    .create();
        }
        return client.serviceAccounts().inNamespace(ns).withName(name).tokenRequest(new TokenRequestBuilder()
                .withNewSpec().withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
    }

    private static void signIn(Browser browser, String token) throws IOException {
        browser.open(base + "/static/dashboard.css"); // same origin, no data
        browser.eval("sessionStorage.setItem('twinbuild-token', '" + token + "'); return null;");
    }

    private static JsonNode waitFor(Browser browser, String script) {
        JsonNode[] out = new JsonNode[1];
        Poll.until(WAIT, () -> {
            try {
                out[0] = browser.eval(script);
                return !out[0].isNull() && !out[0].isMissingNode();
            } catch (IOException e) {
                return false;
            }
        });
        return out[0];
    }

    private static String text(Browser browser, String selector) throws IOException {
        return browser.eval("var e = document.querySelector('" + selector.replace("'", "\\'")
                + "'); return e ? e.textContent.trim() : null;").asText();
    }

    private static JsonNode overview(String token) {
        try {
            return JSON.readTree(get(base + "/api/v1/overview", token).body());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static int status(String url, String token) {
        try {
            return get(url, token).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static HttpResponse<String> get(String url, String token) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
