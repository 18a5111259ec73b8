package dev.paperpod.schemas.http;

import dev.paperpod.schemas.job.JobStatus;
import java.time.Instant;
import java.util.UUID;

/** Body of the {@code 202 Accepted} answer to {@code POST /v1/jobs}: the job is durable from here on. */
public record JobAccepted(UUID id, JobStatus status, Instant createdAt, String url) {}
