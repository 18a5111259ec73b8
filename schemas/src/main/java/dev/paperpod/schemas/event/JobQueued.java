package dev.paperpod.schemas.event;

import dev.paperpod.schemas.job.JobEnvelope;
import java.time.Instant;
import java.util.UUID;

/**
 * A synchronous job was put on its queue. Async jobs need no such event: their row is written, queued, in the
 * same transaction as their outbox record.
 */
public record JobQueued(UUID eventId, UUID jobId, Instant at, JobEnvelope job) implements JobEvent {}
