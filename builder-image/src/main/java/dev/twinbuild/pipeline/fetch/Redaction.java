package dev.twinbuild.pipeline.fetch;

import java.net.URI;

/** URLs as they may appear in messages, logs and the status: without user:password or query (signatures). */
public final class Redaction {
    private Redaction() {
    }

    public static String url(URI u) {
        if (u == null) {
            return "(none)";
        }
        if (u.getHost() == null) {
            return u.getRawUserInfo() == null && u.getRawQuery() == null ? u.toString() : "(redacted URL)";
        }
        String port = u.getPort() < 0 ? "" : ":" + u.getPort();
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        return u.getScheme() + "://" + u.getHost() + port + path + (u.getRawQuery() == null ? "" : "?…");
    }

    public static String url(String u) {
        try {
            return url(URI.create(u));
        } catch (IllegalArgumentException e) {
            return "(unparseable URL)";
        }
    }
}
