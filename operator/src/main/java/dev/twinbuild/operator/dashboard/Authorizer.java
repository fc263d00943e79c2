package dev.twinbuild.operator.dashboard;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Who is looking, and which namespaces they may see: a bearer token is authenticated by the API server
 * (TokenReview) and, per namespace, authorized to {@code list systemimages.twinbuild.dev}
 * (SubjectAccessReview), as kubectl would be. Decisions are kept for a short while per token, so that a
 * polling page costs no API call. In open mode (for port-forward use) everyone sees everything.
 */
public class Authorizer {
    public enum Mode { TOKEN, OPEN }

    /** @param namespaces which namespaces this viewer may list SystemImages in */
    public record Viewer(String name, Predicate<String> namespaces) {
    }

    /** No or a rejected token: HTTP 401. */
    public static class Unauthenticated extends RuntimeException {
        Unauthenticated(String message) {
            super(message);
        }
    }

    private static final int MAX_ENTRIES = 1000;
    private static final Viewer ANYONE = new Viewer("anonymous (open mode)", ns -> true);

    private final KubernetesClient client;
    private final Mode mode;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    public Authorizer(KubernetesClient client, Mode mode, Duration ttl, Clock clock) {
        this.client = client;
        this.mode = mode;
        this.ttl = ttl;
        this.clock = clock;
    }

    public Mode mode() {
        return mode;
    }

    public Viewer viewer(String authorization) {
        if (mode == Mode.OPEN) {
            return ANYONE;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.substring(7).isBlank()) {
            throw new Unauthenticated("a bearer token is required (Authorization: Bearer <token>)");
        }
        String token = authorization.substring(7).trim();
        Instant now = clock.instant();
        String key = sha256(token);
        Entry e = cache.get(key);
        if (e == null || e.expires.isBefore(now)) {
            if (cache.size() >= MAX_ENTRIES) {
                cache.values().removeIf(x -> x.expires.isBefore(now));
                if (cache.size() >= MAX_ENTRIES) {
                    cache.clear();
                }
            }
            e = new Entry(review(token), now.plus(ttl));
            cache.put(key, e);
        }
        if (e.user == null) {
            throw new Unauthenticated("the token was not accepted by the API server");
        }
        Entry entry = e;
        return new Viewer(e.user.getUsername(), ns -> entry.mayList(ns));
    }

    private UserInfo review(String token) {
        TokenReview review = client.resource(new TokenReviewBuilder().withNewSpec().withToken(token).endSpec().build())
                .create();
        return review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAuthenticated())
                ? review.getStatus().getUser() : null;
    }

    private final class Entry {
        final UserInfo user;
        final Instant expires;
        final Map<String, Boolean> namespaces = new ConcurrentHashMap<>();

        Entry(UserInfo user, Instant expires) {
            this.user = user;
            this.expires = expires;
        }

        /** "" asks for all namespaces at once: one review for cluster-wide viewers. */
        boolean mayList(String namespace) {
            return namespaces.computeIfAbsent("", k -> allowed(user, null))
                    || namespaces.computeIfAbsent(namespace, ns -> allowed(user, ns));
        }
    }

    private boolean allowed(UserInfo user, String namespace) {
        SubjectAccessReview sar = new SubjectAccessReviewBuilder().withNewSpec()
                .withUser(user.getUsername()).withUid(user.getUid()).withGroups(user.getGroups())
                .withExtra(user.getExtra())
                .withNewResourceAttributes().withNamespace(namespace).withVerb("list").withGroup("twinbuild.dev")
                .withResource("systemimages").endResourceAttributes()
                .endSpec().build();
        SubjectAccessReview result = client.resource(sar).create();
        return result.getStatus() != null && result.getStatus().getAllowed();
    }

    private static String sha256(String token) {
        return DashboardData.sha256(token);
    }
}
