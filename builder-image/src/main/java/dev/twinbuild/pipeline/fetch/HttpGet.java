package dev.twinbuild.pipeline.fetch;

import dev.twinbuild.pipeline.InputException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * GET with the transient/permanent split: a network error, 429 or 5xx — also while the body is read — is
 * retried under {@link Retry} and, when the retries are spent, is an {@link InputUnreachableException};
 * every other status goes back to the caller, who knows whether it is permanent (404) or an
 * authentication challenge (401). Redirects are followed here, and credentials are never sent to
 * another host than the one they were meant for (registries redirect blob reads to storage).
 */
public final class HttpGet {
    private static final Set<Integer> TRANSIENT = Set.of(408, 425, 429, 500, 502, 503, 504);
    private static final int MAX_REDIRECTS = 5;

    /** Reads a successful response; an IOException while reading counts as a network failure. */
    public interface BodyReader<T> {
        T read(InputStream body) throws IOException;
    }

    /** What the server said when it was not 200 (the body already closed). */
    public record Refused(int status, URI uri, Map<String, java.util.List<String>> headers) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
        }
    }

    /** Either the body's value (status 200) or the refusal. */
    public record Result<T>(T value, Refused refused) {
    }

    private final HttpClient http;
    private final Retry retry;
    private final Sleeper sleeper;

    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    public HttpGet(Retry retry) {
        this(retry, d -> Thread.sleep(d.toMillis()));
    }

    HttpGet(Retry retry, Sleeper sleeper) {
        this.retry = retry;
        this.sleeper = sleeper;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    /**
     * @param headers sent to {@code uri}'s host only (Authorization must not follow a redirect elsewhere)
     * @param field   the spec field named in errors
     */
    public <T> Result<T> get(URI uri, Map<String, String> headers, String field, BodyReader<T> reader)
            throws IOException {
        String last = null;
        for (int attempt = 1; ; attempt++) {
            Duration retryAfter = null;
            try {
                HttpResponse<InputStream> r = follow(uri, headers, field);
                if (r.statusCode() == 200) {
                    try (InputStream in = r.body()) {
                        return new Result<>(reader.read(in), null);
                    }
                }
                r.body().close();
                if (!TRANSIENT.contains(r.statusCode())) {
                    return new Result<>(null, new Refused(r.statusCode(), r.uri(), r.headers().map()));
                }
                last = "HTTP " + r.statusCode();
                retryAfter = retryAfter(r.headers().firstValue("Retry-After").orElse(null));
            } catch (InputException e) {
                throw e; // the content is wrong (digest, size): fetching it again changes nothing
            } catch (IOException e) {
                last = e.toString();
            }
            Duration delay = attempt >= retry.attempts() ? null : retry.delay(attempt, retryAfter);
            if (delay == null) {
                String why = retryAfter != null && attempt < retry.attempts()
                        ? " (the server asks to retry after " + retryAfter.toSeconds() + "s)" : "";
                throw new InputUnreachableException(field, "GET " + Redaction.url(uri) + " failed " + attempt
                        + " time(s)" + why + "; last: " + last, null);
            }
            try {
                sleeper.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    private HttpResponse<InputStream> follow(URI uri, Map<String, String> headers, String field) throws IOException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(Duration.ofMinutes(30)).GET();
            boolean sameOrigin = Objects.equals(current.getHost(), uri.getHost()) && current.getPort() == uri.getPort()
                    && Objects.equals(current.getScheme(), uri.getScheme());
            headers.forEach((k, v) -> {
                if (sameOrigin || !k.equalsIgnoreCase("Authorization")) {
                    b.header(k, v);
                }
            });
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            int s = r.statusCode();
            if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) {
                return r;
            }
            r.body().close();
            String location = r.headers().firstValue("Location").orElse(null);
            if (location == null || hop >= MAX_REDIRECTS) {
                throw new InputException(field, "GET " + Redaction.url(uri) + ": "
                        + (location == null ? "redirect without Location" : "too many redirects"));
            }
            URI next = current.resolve(location);
            if (!"https".equals(next.getScheme()) && "https".equals(current.getScheme())) {
                throw new InputException(field, "GET " + Redaction.url(uri) + ": refusing a redirect from https to "
                        + next.getScheme());
            }
            current = next;
        }
    }

    /** Retry-After: delta-seconds or an HTTP-date. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException ignored) {
                return null;
            }
        }
    }

    static Map<String, String> headers(Object... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put((String) kv[i], (String) kv[i + 1]);
            }
        }
        return m;
    }
}
