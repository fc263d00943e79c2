package dev.twinbuild.verify;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.twinbuild.api.v1alpha1.Verification;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.regex.Matcher;

/**
 * When a verdict is checked again: {@code spec.verification.interval} or {@code schedule} (cron in
 * {@code timeZone}), pure arithmetic on instants so that it is tested against a fixed clock.
 *
 * <p>Missed windows collapse: the next window is always the first one after the last verification began,
 * so an operator that was down for three windows runs one re-verification, not three. Jitter spreads
 * images on the same schedule: a fixed offset per object (from its UID), at most {@link #JITTER_SHARE} of
 * the period and at most the operator's cap.
 */
public final class VerificationSchedule {
    public enum Kind { Interval, Schedule }

    public static final double JITTER_SHARE = 0.1;
    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("([0-9]+)(h|m|s)");
    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final Kind kind;
    private final Duration interval;
    private final ExecutionTime cron;
    private final ZoneId zone;
    private final boolean suspended;

    private VerificationSchedule(Kind kind, Duration interval, ExecutionTime cron, ZoneId zone, boolean suspended) {
        this.kind = kind;
        this.interval = interval;
        this.cron = cron;
        this.zone = zone;
        this.suspended = suspended;
    }

    /**
     * @return null when the spec asks for no scheduled re-verification
     * @throws IllegalArgumentException naming the field, for a value {@link #validate} refuses
     */
    public static VerificationSchedule of(Verification v) {
        if (v == null || (v.interval == null && v.schedule == null)) {
            return null;
        }
        boolean suspended = Boolean.TRUE.equals(v.suspend);
        if (v.interval != null) {
            return new VerificationSchedule(Kind.Interval, parseDuration(v.interval), null, ZoneId.of("UTC"), suspended);
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(v.timeZone == null ? "UTC" : v.timeZone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("spec.verification.timeZone: not an IANA time zone: " + v.timeZone);
        }
        ExecutionTime cron;
        try {
            cron = ExecutionTime.forCron(CRON.parse(v.schedule));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spec.verification.schedule: not a 5-field cron expression ("
                    + v.schedule + "): " + e.getMessage());
        }
        return new VerificationSchedule(Kind.Schedule, null, cron, zone, suspended);
    }

    /** The CLI's and the operator's check of the fields (the CRD only checks their shape). */
    public static void validate(Verification v, List<String> errors) {
        if (v == null) {
            return;
        }
        if (v.interval != null && v.schedule != null) {
            errors.add("spec.verification: set interval or schedule, not both");
            return;
        }
        if (v.timeZone != null && v.schedule == null) {
            errors.add("spec.verification.timeZone: applies to schedule only");
        }
        try {
            VerificationSchedule s = of(v);
            if (s != null && s.kind == Kind.Interval && s.interval.isZero()) {
                errors.add("spec.verification.interval: must be more than 0");
            }
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
    }

    /** Go-style durations as Kubernetes uses them, restricted to whole h, m, s: "24h", "1h30m", "90s". */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text);
        Duration d = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
            end = m.end();
        }
        if (end == 0 || end != text.length()) {
            throw new IllegalArgumentException("spec.verification.interval: not a duration like 24h, 90m or 1h30m: "
                    + text);
        }
        return d;
    }

    public Kind kind() {
        return kind;
    }

    public boolean suspended() {
        return suspended;
    }

    /**
     * The first window after {@code reference}: reference + interval, or the next cron time.
     *
     * <p>Cron times are wall-clock times of the zone, evaluated on local date-times (cron-utils on a zone
     * without DST) and then placed in the zone: a time that falls into a spring-forward gap runs when the
     * gap ends, shifted by its length (02:30 → 03:30), rather than being skipped for the day; a time that
     * happens twice on a fall-back day runs once, at its first occurrence.
     */
    public Instant windowAfter(Instant reference) {
        if (kind == Kind.Interval) {
            return reference.plus(interval);
        }
        LocalDateTime local = reference.atZone(zone).toLocalDateTime();
        for (int i = 0; i < 4; i++) {
            LocalDateTime n = cron.nextExecution(local.atZone(ZoneOffset.UTC))
                    .orElseThrow(() -> new IllegalStateException("the schedule has no next time")).toLocalDateTime();
            ZonedDateTime z = ZonedDateTime.ofLocal(n, zone, null); // a gap moves it forward; an overlap: the first
            if (z.toInstant().isAfter(reference)) {
                return z.toInstant();
            }
            // The reference is in the repeated hour after this wall time's first occurrence: not again.
            local = n;
        }
        throw new IllegalStateException("the schedule has no next time after " + reference);
    }

    /** The interval, or the gap from the window after {@code reference} to the one after it. */
    public Duration period(Instant reference) {
        if (kind == Kind.Interval) {
            return interval;
        }
        Instant first = windowAfter(reference);
        return Duration.between(first, windowAfter(first));
    }

    /** The shortest gap between two of the next {@code windows} windows (a schedule's minimum period). */
    public Duration shortestPeriod(Instant from, int windows) {
        Duration shortest = null;
        Instant t = from;
        for (int i = 0; i < windows; i++) {
            Duration p = period(t);
            shortest = shortest == null || p.compareTo(shortest) < 0 ? p : shortest;
            t = windowAfter(t);
        }
        return shortest;
    }

    /**
     * When the next re-verification is due: the first window after {@code reference} (when the last one
     * began, or the verdict), delayed by this object's jitter; null while suspended.
     */
    public Instant next(Instant reference, String seed, Duration maxJitter) {
        if (suspended) {
            return null;
        }
        Instant window = windowAfter(reference);
        return window.plus(jitter(seed, period(reference), maxJitter));
    }

    /**
     * A fixed offset in [0, min(share × period, max)) from the seed (an object's UID): the same on every
     * operator, spread evenly over objects.
     */
    public static Duration jitter(String seed, Duration period, Duration max) {
        Duration bound = Duration.ofMillis((long) (period.toMillis() * JITTER_SHARE));
        if (max != null && max.compareTo(bound) < 0) {
            bound = max;
        }
        if (bound.toMillis() <= 0 || seed == null) {
            return Duration.ZERO;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            long x = ByteBuffer.wrap(h, 0, 8).getLong() >>> 1; // non-negative
            return Duration.ofMillis(x % bound.toMillis());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
