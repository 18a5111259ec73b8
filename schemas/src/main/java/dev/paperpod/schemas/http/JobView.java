package dev.paperpod.schemas.http;

import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobStatus;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Body of {@code GET /v1/jobs/{id}}. */
public record JobView(
        UUID id,
        String kind,
        String source,
        JobStatus status,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        int attempts,
        @Nullable ExecResult result,
        @Nullable JobError error,
        @Nullable TimingView timing) {}
