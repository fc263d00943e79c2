package dev.twinbuild.operator.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A real headless Chromium (Debian's chromium + chromium-driver), driven over the W3C WebDriver protocol
 * with plain HTTP: navigate, run a script in the page, take a screenshot.
 */
final class Browser implements AutoCloseable {
    static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--window-size=1400,1000");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process driver;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final String session;

    Browser(Path work) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(work);
        driver = new ProcessBuilder("chromedriver", "--port=" + port)
                .redirectErrorStream(true).redirectOutput(work.resolve("chromedriver.log").toFile()).start();
        base = "http://127.0.0.1:" + port;
        Poll.until(Duration.ofSeconds(20), () -> {
            try {
                return call("GET", "/status", null).path("value").path("ready").asBoolean();
            } catch (IOException e) {
                return false;
            }
        });
        Path profile = Files.createTempDirectory(work, "profile");
        List<String> args = new java.util.ArrayList<>(FLAGS);
        args.add("--user-data-dir=" + profile);
        JsonNode created = call("POST", "/session", Map.of("capabilities", Map.of("alwaysMatch", Map.of(
                "browserName", "chrome",
                "goog:chromeOptions", Map.of("binary", "/usr/bin/chromium", "args", args)))));
        session = created.path("value").path("sessionId").asText();
        if (session.isEmpty()) {
            throw new IOException("chromedriver did not start a session: " + created);
        }
    }

    void open(String url) throws IOException {
        call("POST", "/session/" + session + "/url", Map.of("url", url));
    }

    /** Runs {@code return ...;} in the page and gives back the JSON value. */
    JsonNode eval(String script) throws IOException {
        return call("POST", "/session/" + session + "/execute/sync", Map.of("script", script, "args", List.of()))
                .path("value");
    }

    void screenshot(Path png) throws IOException {
        String b64 = call("GET", "/session/" + session + "/screenshot", null).path("value").asText();
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(b64));
    }

    private JsonNode call(String method, String path, Object body) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .header("Content-Type", "application/json");
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = JSON.readTree(r.body());
            if (r.statusCode() >= 400) {
                throw new IOException("WebDriver " + method + " " + path + ": " + r.statusCode() + " " + r.body());
            }
            return node;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } catch (IOException | RuntimeException e) {
            // the driver goes anyway
        } finally {
            driver.destroy();
        }
    }
}
