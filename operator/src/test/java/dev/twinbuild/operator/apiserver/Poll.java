package dev.twinbuild.operator.apiserver;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition of the cluster (Awaitility), failing with the timeout when it never holds. */
final class Poll {
    private Poll() {
    }

    static void until(Duration timeout, BooleanSupplier condition) {
        Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(25))
                .ignoreExceptions().until(condition::getAsBoolean);
    }
}
