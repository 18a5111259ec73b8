package dev.paperpod.scheduler.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), new Random(7));

    @Test
    void waitsDoubleEachAttemptWithinHalfToFullOfTheStep() {
        long[] steps = {1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000};
        for (int attempt = 1; attempt <= steps.length; attempt++) {
            long full = steps[attempt - 1];
            for (int i = 0; i < 50; i++) {
                assertThat(policy.backoff(attempt).toMillis())
                        .as("attempt %d", attempt)
                        .isBetween(full / 2, full);
            }
        }
    }

    @Test
    void jitterSpreadsJobsThatFailedTogether() {
        assertThat(java.util.stream.IntStream.range(0, 20)
                        .mapToObj(i -> policy.backoff(3))
                        .distinct()
                        .count())
                .isGreaterThan(10);
    }

    @Test
    void refusesAnInitialWaitAboveTheMaximum() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofMinutes(2), Duration.ofMinutes(1), new Random()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
