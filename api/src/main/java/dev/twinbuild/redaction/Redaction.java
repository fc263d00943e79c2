package dev.twinbuild.redaction;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes secrets out of text before it leaves the process (status, events, logs, termination messages,
 * build records): a URL's user-info and query string (presigned URLs carry their signature, credential
 * and session token there), bare {@code X-Amz-*} signing parameters and Authorization header values.
 * The one place that decides what is a secret in a message.
 */
public final class Redaction {
    public static final String MASK = "REDACTED";

    // scheme://user:password@host → scheme://REDACTED@host
    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://)[^/@\\s?#\"'<>]+@");
    // scheme://host/path?query → scheme://host/path?REDACTED (the fragment too: it can carry tokens)
    private static final Pattern QUERY = Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^\\s?#\"'<>]*)[?#][^\\s\"'<>]*");
    // Signing parameters outside a URL (e.g. quoted by a server's error message).
    private static final Pattern PARAMS = Pattern.compile(
            "(?i)\\b(X-Amz-(?:Signature|Credential|Security-Token)|AWSAccessKeyId|Signature|x-amz-security-token)"
                    + "(\\s*[=:]\\s*)[^&\\s\"'<>]+");
    private static final Pattern AUTHORIZATION = Pattern.compile("(?i)\\b(authorization\"?\\s*[:=]\\s*\"?)[^\"\\r\\n]+");

    private Redaction() {
    }

    /** The text with every secret-bearing part of it replaced by {@value #MASK}; null stays null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String s = USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
        s = QUERY.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + "?" + MASK);
        s = PARAMS.matcher(s).replaceAll("$1$2" + MASK);
        return AUTHORIZATION.matcher(s).replaceAll("$1" + MASK);
    }

    /** A URL as it may be recorded: without user-info and query. */
    public static String url(String url) {
        return redact(url);
    }
}
