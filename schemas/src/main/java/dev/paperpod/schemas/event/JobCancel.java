package dev.paperpod.schemas.event;

import java.time.Instant;
import java.util.UUID;

/**
 * A client canceled a job, broadcast to every worker on {@link dev.paperpod.schemas.Topics#JOB_CONTROL}: the worker
 * running it kills its process and ends it CANCELED; a worker that takes it from the queue later drops it.
 */
public record JobCancel(UUID eventId, UUID jobId, UUID accountId, Instant at) {}
