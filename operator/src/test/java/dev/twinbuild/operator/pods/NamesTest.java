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

    @Test
    void podNamesAreDeterministicAndFitADnsLabel() {
        assertThat(Names.pod("debian-live", "0123456789", 1)).isEqualTo("debian-live-0123456789-b1");
        String longName = "x".repeat(60) + "-image";
        String pod = Names.pod(longName, "0123456789", 7);
        assertThat(pod).hasSizeLessThanOrEqualTo(63).endsWith("-0123456789-b7").doesNotContain("--");
        assertThat(Names.imageLabel("y".repeat(100))).hasSizeLessThanOrEqualTo(63);
    }
}
