package dev.paperpod.schemas.http;

import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobResult;
import dev.paperpod.schemas.job.JobStatus;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code GET /v1/jobs/{id}}.
 *
 * @param attempts attempts used so far; infrastructure faults retry up to {@code maxAttempts}
 * @param nextAttemptAt while RETRYING, when the next attempt is due
 * @param cancelRequestedAt when a client asked to cancel the job while it ran
 * @param runAt the job does not start before then
 * @param queuePosition while it waits and is due: how many waiting jobs go before it (0: next)
 * @param estimatedStartAt while it waits: when it should start, from its position and the recent pace (or its
 *     {@code runAt}); absent when there is no pace to go by
 */
public record JobView(
        UUID id,
        String kind,
        String source,
        JobStatus status,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        int attempts,
        int maxAttempts,
        @Nullable Instant nextAttemptAt,
        @Nullable Instant cancelRequestedAt,
        @Nullable JobResult result,
        @Nullable JobError error,
        @Nullable TimingView timing,
        JobPriority priority,
        @Nullable Instant runAt,
        @Nullable Long queuePosition,
        @Nullable Instant estimatedStartAt) {}
