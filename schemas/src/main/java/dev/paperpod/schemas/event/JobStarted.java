package dev.paperpod.schemas.event;

import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobSource;
import java.time.Instant;
import java.util.UUID;

/** A worker claimed a sandbox for a job and is about to run it. */
public record JobStarted(
        UUID eventId,
        UUID jobId,
        Instant at,
        UUID accountId,
        JobKind kind,
        JobSource source,
        int attempt,
        String workerId,
        String sandboxId)
        implements JobEvent {}
