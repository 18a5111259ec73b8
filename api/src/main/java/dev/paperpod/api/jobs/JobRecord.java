package dev.paperpod.api.jobs;

import dev.paperpod.schemas.http.JobView;
import dev.paperpod.schemas.http.TimingView;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Timing;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A job as stored. */
public record JobRecord(
        UUID id,
        UUID accountId,
        String kind,
        String source,
        JobStatus status,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        int attempts,
        @Nullable ExecResult result,
        @Nullable JobError error,
        @Nullable Timing timing) {

    public JobView view() {
        return new JobView(
                id,
                kind,
                source,
                status,
                createdAt,
                startedAt,
                finishedAt,
                attempts,
                result,
                error,
                timing == null ? null : TimingView.of(timing));
    }
}
