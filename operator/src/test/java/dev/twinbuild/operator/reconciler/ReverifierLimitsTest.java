package dev.twinbuild.operator.reconciler;

import dev.twinbuild.operator.Fixtures;
import dev.twinbuild.operator.api.v1alpha1.SystemImage;
import dev.twinbuild.operator.config.ReverifySettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The admin's minimum interval applies to intervals and to the gaps of cron schedules, named in the message. */
class ReverifierLimitsTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private final Reverifier reverifier = new Reverifier(new ReverifySettings(Duration.ofHours(1), Duration.ofMinutes(15), 4),
            null, null, null, null, null, null);

    private static SystemImage with(String interval, String schedule) {
        SystemImage si = Fixtures.systemImage("x", 2);
        si.getSpec().verification.interval = interval;
        si.getSpec().verification.schedule = schedule;
        return si;
    }

    @Test
    void shorterThanTheMinimumIsRefusedNamingTheFieldAndTheSetting() {
        assertThat(reverifier.invalid(with("30m", null), NOW))
                .startsWith("spec.verification.interval: re-verifies every PT30M")
                .contains("minimum PT1H", "verification.minInterval");
        // Every 10 minutes from 03:00 to 03:50, then daily: the shortest gap counts.
        assertThat(reverifier.invalid(with(null, "*/10 3 * * *"), NOW))
                .startsWith("spec.verification.schedule: re-verifies every PT10M");
    }

    @Test
    void longEnoughOrNoScheduleIsFine() {
        assertThat(reverifier.invalid(with("1h", null), NOW)).isNull();
        assertThat(reverifier.invalid(with(null, "0 3 * * 1"), NOW)).isNull();
        assertThat(reverifier.invalid(with(null, null), NOW)).isNull();
        assertThat(reverifier.invalid(with("1d", null), NOW)).startsWith("spec.verification.interval: not a duration");
    }
}
