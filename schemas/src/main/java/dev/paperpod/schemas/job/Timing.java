package dev.paperpod.schemas.job;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Where a job's time went, stamp by stamp, so a user can see whether it waited in the queue, for a sandbox or
 * for their own code.
 *
 * @param submittedAt the API accepted the job
 * @param relayedAt the outbox relay put it on Kafka (async jobs only)
 * @param receivedAt a worker took it from Kafka
 * @param claimedAt the worker holds a ready sandbox
 * @param startedAt the program started
 * @param finishedAt the program ended and its result was assembled
 */
public record Timing(
        Instant submittedAt,
        @Nullable Instant relayedAt,
        Instant receivedAt,
        Instant claimedAt,
        Instant startedAt,
        Instant finishedAt) {

    /** Submission to pick-up by a worker: queueing, relaying and Kafka. */
    public long queueMs() {
        return millis(submittedAt, receivedAt);
    }

    public long claimMs() {
        return millis(receivedAt, claimedAt);
    }

    public long runMs() {
        return millis(startedAt, finishedAt);
    }

    public long totalMs() {
        return millis(submittedAt, finishedAt);
    }

    private static long millis(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis());
    }
}
