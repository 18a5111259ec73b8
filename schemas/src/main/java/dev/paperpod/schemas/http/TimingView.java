package dev.paperpod.schemas.http;

import dev.paperpod.schemas.job.Timing;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** {@link Timing} as clients see it: the stamps, and the durations between them in milliseconds. */
public record TimingView(
        long queueMs,
        long claimMs,
        long runMs,
        long totalMs,
        Instant submittedAt,
        @Nullable Instant relayedAt,
        Instant receivedAt,
        Instant claimedAt,
        Instant startedAt,
        Instant finishedAt) {

    public static TimingView of(Timing t) {
        return new TimingView(
                t.queueMs(),
                t.claimMs(),
                t.runMs(),
                t.totalMs(),
                t.submittedAt(),
                t.relayedAt(),
                t.receivedAt(),
                t.claimedAt(),
                t.startedAt(),
                t.finishedAt());
    }
}
