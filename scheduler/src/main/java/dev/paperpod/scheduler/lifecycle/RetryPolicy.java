package dev.paperpod.scheduler.lifecycle;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long to wait before the next attempt after an infrastructure fault: exponential, capped, with "equal jitter"
 * (half the wait fixed, half random) so jobs that failed together — a worker died with twenty of them — do not all
 * come back in the same instant.
 */
public final class RetryPolicy {

    private final Duration initial;
    private final Duration max;
    private final RandomGenerator random;

    public RetryPolicy(Duration initial, Duration max, RandomGenerator random) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial (" + initial + ") <= max (" + max + ")");
        }
        this.initial = initial;
        this.max = max;
        this.random = random;
    }

    /** The wait after attempt {@code attempt} (1 for the first) failed. */
    public Duration backoff(int attempt) {
        long full = initial.toMillis();
        for (int i = 1; i < attempt && full < max.toMillis(); i++) {
            full *= 2;
        }
        full = Math.min(full, max.toMillis());
        long half = full / 2;
        return Duration.ofMillis(full - half + (half == 0 ? 0 : random.nextLong(half + 1)));
    }
}
