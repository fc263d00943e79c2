package dev.twinbuild.operator.pods;

import dev.twinbuild.api.v1alpha1.SystemImageSpec;
import dev.twinbuild.operator.Fixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NamesTest {
    @Test
    void specHashIsStableAndFollowsTheSpec() {
        SystemImageSpec a = Fixtures.spec(2);
        SystemImageSpec b = Fixtures.spec(2);
        assertThat(Names.specHash(a)).hasSize(10).isEqualTo(Names.specHash(b));
        b.sourceDateEpoch = 1L;
        assertThat(Names.specHash(b)).isNotEqualTo(Names.specHash(a));
    }

    /**
     * Pod and ConfigMap names carry this hash: if it moved with a release, every running operator would
     * take its existing builds for another spec's and rebuild them all. A change here must be deliberate.
     */
    @Test
    void specHashIsPinned() {
        assertThat(Names.specHash(Fixtures.spec(2))).isEqualTo("00468ea713");
    }

    /** When an image is checked again is no input of its build: editing it must not rebuild. */
    @Test
    void reverificationScheduleIsNotPartOfTheSpecHash() {
        SystemImageSpec plain = Fixtures.spec(2);
        SystemImageSpec scheduled = Fixtures.spec(2);
        scheduled.verification = scheduled.verificationOrDefault();
        scheduled.verification.interval = "24h";
        assertThat(Names.specHash(scheduled)).isEqualTo(Names.specHash(plain)).isEqualTo("00468ea713");
        scheduled.verification.interval = null;
        scheduled.verification.schedule = "0 3 * * 1";
        scheduled.verification.timeZone = "Europe/Berlin";
        scheduled.verification.suspend = true;
        assertThat(Names.specHash(scheduled)).isEqualTo(Names.specHash(plain));
        // What the builds are still counts, also beside a schedule.
        scheduled.verification.timeoutSeconds = 600;
        assertThat(Names.specHash(scheduled)).isNotEqualTo(Names.specHash(plain));
        // The copy hashed is a copy: the spec itself keeps its schedule.
        assertThat(scheduled.verification.schedule).isEqualTo("0 3 * * 1");
    }

    @Test
    void roundNamesAreDistinctFromTheFirstRound() {
        String round = Names.roundHash("0123456789", 12);
        assertThat(Names.pod("debian-live", round, 1)).isEqualTo("debian-live-0123456789-r12-b1");
        assertThat(Names.pod("x".repeat(70), round, 7)).hasSizeLessThanOrEqualTo(63).endsWith("-0123456789-r12-b7");
        assertThat(Names.ofSpec("0123456789", round)).isTrue();
        assertThat(Names.ofSpec("0123456789", "0123456789")).isTrue();
        assertThat(Names.ofSpec("0123456789", "9876543210-r1")).isFalse();
    }

    @Test
    void podNamesAreDeterministicAndFitADnsLabel() {
        assertThat(Names.pod("debian-live", "0123456789", 1)).isEqualTo("debian-live-0123456789-b1");
        String longName = "x".repeat(60) + "-image";
        String pod = Names.pod(longName, "0123456789", 7);
        assertThat(pod).hasSizeLessThanOrEqualTo(63).endsWith("-0123456789-b7").doesNotContain("--");
        assertThat(Names.imageLabel("y".repeat(100))).hasSizeLessThanOrEqualTo(63);
    }
}
