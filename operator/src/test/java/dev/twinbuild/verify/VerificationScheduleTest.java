package dev.twinbuild.verify;

import dev.twinbuild.api.v1alpha1.Verification;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Schedule arithmetic against a fixed clock: interval, cron in a time zone across DST, suspend, missed windows, jitter. */
class VerificationScheduleTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
    private static final Duration NO_JITTER = Duration.ZERO;

    private static VerificationSchedule interval(String d) {
        Verification v = new Verification();
        v.interval = d;
        return VerificationSchedule.of(v);
    }

    private static VerificationSchedule cron(String expr, String zone) {
        Verification v = new Verification();
        v.schedule = expr;
        v.timeZone = zone;
        return VerificationSchedule.of(v);
    }

    @Test
    void intervalCountsFromTheLastVerification() {
        Instant t = CLOCK.instant();
        VerificationSchedule s = interval("1h30m");
        assertThat(s.kind()).isEqualTo(VerificationSchedule.Kind.Interval);
        assertThat(s.next(t, "uid-1", NO_JITTER)).isEqualTo(Instant.parse("2026-03-01T11:30:00Z"));
        assertThat(s.period(t)).isEqualTo(Duration.ofMinutes(90));
        assertThat(VerificationSchedule.parseDuration("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(VerificationSchedule.parseDuration("90s")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void noScheduleWithoutIntervalOrCron() {
        assertThat(VerificationSchedule.of(new Verification())).isNull();
        assertThat(VerificationSchedule.of(null)).isNull();
    }

    @Test
    void cronRunsInItsTimeZone() {
        VerificationSchedule s = cron("0 3 * * *", "Europe/Berlin");
        // 03:00 in Berlin in summer is 01:00 UTC, in winter 02:00 UTC.
        assertThat(s.windowAfter(Instant.parse("2026-06-01T00:00:00Z"))).isEqualTo(Instant.parse("2026-06-01T01:00:00Z"));
        assertThat(s.windowAfter(Instant.parse("2026-01-10T00:00:00Z"))).isEqualTo(Instant.parse("2026-01-10T02:00:00Z"));
        assertThat(cron("0 3 * * *", null).windowAfter(Instant.parse("2026-01-10T00:00:00Z")))
                .isEqualTo(Instant.parse("2026-01-10T03:00:00Z")); // UTC by default
        assertThat(s.period(Instant.parse("2026-06-01T00:00:00Z"))).isEqualTo(Duration.ofHours(24));
    }

    /** Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that day. */
    @Test
    void springForwardRunsOnceOnTheShortDay() {
        VerificationSchedule s = cron("30 2 * * *", "Europe/Berlin");
        List<Instant> runs = windows(s, Instant.parse("2026-03-27T12:00:00Z"), 4);
        assertThat(runs).containsExactly(
                Instant.parse("2026-03-28T01:30:00Z"), // 02:30 CET
                Instant.parse("2026-03-29T01:30:00Z"), // the gap: 03:30 CEST, an hour after 02:30 would have been
                Instant.parse("2026-03-30T00:30:00Z"), // 02:30 CEST
                Instant.parse("2026-03-31T00:30:00Z"));
    }

    /** Berlin, 2026-10-25: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice; it runs once. */
    @Test
    void fallBackRunsOnceOnTheLongDay() {
        VerificationSchedule s = cron("30 2 * * *", "Europe/Berlin");
        List<Instant> runs = windows(s, Instant.parse("2026-10-23T12:00:00Z"), 4);
        assertThat(runs).containsExactly(
                Instant.parse("2026-10-24T00:30:00Z"), // 02:30 CEST
                Instant.parse("2026-10-25T00:30:00Z"), // the first 02:30 (CEST), not the repeated one an hour later
                Instant.parse("2026-10-26T01:30:00Z"), // 02:30 CET
                Instant.parse("2026-10-27T01:30:00Z"));
    }

    @Test
    void suspendedSchedulesNothing() {
        Verification v = new Verification();
        v.interval = "24h";
        v.suspend = true;
        VerificationSchedule s = VerificationSchedule.of(v);
        assertThat(s.suspended()).isTrue();
        assertThat(s.next(CLOCK.instant(), "uid", NO_JITTER)).isNull();
    }

    /** An operator down for three windows runs one re-verification when it is back, then the schedule resumes. */
    @Test
    void missedWindowsCollapseIntoOne() {
        VerificationSchedule s = cron("0 * * * *", "UTC");
        Instant last = Instant.parse("2026-03-01T10:00:00Z");
        Instant back = Instant.parse("2026-03-01T13:20:00Z"); // 11:00, 12:00, 13:00 missed
        int runs = 0;
        // The reconciler at one moment: due when now is past next(last); a run makes now the new reference.
        for (int pass = 0; pass < 5; pass++) {
            Instant due = s.next(last, "uid", NO_JITTER);
            if (!back.isBefore(due)) {
                runs++;
                last = back;
            }
        }
        assertThat(runs).isEqualTo(1);
        assertThat(s.next(last, "uid", NO_JITTER)).isEqualTo(Instant.parse("2026-03-01T14:00:00Z"));
    }

    @Test
    void jitterIsFixedPerObjectBoundedAndSpread() {
        Duration period = Duration.ofHours(24);
        Duration cap = Duration.ofMinutes(15);
        List<Duration> all = IntStream.range(0, 1000).mapToObj(i -> VerificationSchedule.jitter("uid-" + i, period, cap))
                .toList();
        assertThat(all).allSatisfy(j -> assertThat(j).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(cap));
        assertThat(all.stream().min(Duration::compareTo).get()).isLessThan(Duration.ofMinutes(1));
        assertThat(all.stream().max(Duration::compareTo).get()).isGreaterThan(Duration.ofMinutes(14));
        // at most 10% of a short period, and the same for the same object every time
        Duration small = VerificationSchedule.jitter("uid-7", Duration.ofMinutes(2), cap);
        assertThat(small).isLessThan(Duration.ofSeconds(12)).isEqualTo(VerificationSchedule.jitter("uid-7",
                Duration.ofMinutes(2), cap));
        assertThat(interval("2m").next(CLOCK.instant(), "uid-7", cap)).isEqualTo(CLOCK.instant().plusSeconds(120).plus(small));
        assertThat(all.stream().distinct().count()).isGreaterThan(900);
    }

    @Test
    void badValuesNameTheField() {
        assertThat(errors(v -> v.interval = "1d")).singleElement().asString().startsWith("spec.verification.interval:");
        assertThat(errors(v -> v.interval = "0s")).singleElement().asString().contains("more than 0");
        assertThat(errors(v -> v.schedule = "61 * * * *")).singleElement().asString()
                .startsWith("spec.verification.schedule:");
        assertThat(errors(v -> v.schedule = "0 3 * * * *")).singleElement().asString() // 6 fields: Quartz, not cron
                .startsWith("spec.verification.schedule:");
        assertThat(errors(v -> {
            v.schedule = "0 3 * * *";
            v.timeZone = "Mars/Olympus";
        })).singleElement().asString().startsWith("spec.verification.timeZone:");
        assertThat(errors(v -> {
            v.schedule = "0 3 * * *";
            v.interval = "24h";
        })).singleElement().asString().contains("not both");
        assertThat(errors(v -> v.timeZone = "UTC")).singleElement().asString().contains("applies to schedule");
        assertThat(errors(v -> {
            v.schedule = "0 3 * * 1-5";
            v.timeZone = "America/New_York";
        })).isEmpty();
        assertThatThrownBy(() -> VerificationSchedule.parseDuration("h")).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> errors(java.util.function.Consumer<Verification> set) {
        Verification v = new Verification();
        set.accept(v);
        List<String> e = new ArrayList<>();
        VerificationSchedule.validate(v, e);
        return e;
    }

    private static List<Instant> windows(VerificationSchedule s, Instant from, int n) {
        List<Instant> out = new ArrayList<>();
        Instant t = from;
        for (int i = 0; i < n; i++) {
            t = s.windowAfter(t);
            out.add(t);
        }
        return out;
    }
}
