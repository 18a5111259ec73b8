package dev.paperpod.schemas.job;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A job as it travels on {@code paperpod.jobs.<kind>}, keyed by {@code jobId}.
 *
 * @param jobId the job's id, also its Kafka key
 * @param accountId whose job it is; sandboxes are never shared across accounts
 * @param source sync (a client waits on a reply topic) or async (outbox)
 * @param submittedAt when the API accepted it
 * @param expiresAt for sync jobs, when the waiting client gives up; a worker that sees the job later drops it
 * @param attempt 1 for the first run
 * @param spec what to do
 * @param streamOutput whether the worker publishes the output as it comes ({@code job.output} events); absent:
 *     async jobs do, sync ones do not (a sync client that streams, {@code POST /execute/stream}, sets it)
 */
public record JobEnvelope(
        UUID jobId,
        UUID accountId,
        JobSource source,
        Instant submittedAt,
        @Nullable Instant expiresAt,
        int attempt,
        JobSpec spec,
        @Nullable Boolean streamOutput) {

    /** A job with its source's default: async jobs stream their output, sync ones answer it in the reply. */
    public JobEnvelope(
            UUID jobId,
            UUID accountId,
            JobSource source,
            Instant submittedAt,
            @Nullable Instant expiresAt,
            int attempt,
            JobSpec spec) {
        this(jobId, accountId, source, submittedAt, expiresAt, attempt, spec, null);
    }

    /** Whether the worker publishes the output as it comes. */
    public boolean streamsOutput() {
        return streamOutput != null ? streamOutput : source == JobSource.ASYNC;
    }

    public JobKind kind() {
        return spec.kind();
    }
}
