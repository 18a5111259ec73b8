package dev.paperpod.schemas.http;

import dev.paperpod.schemas.job.JobStatus;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code GET /v1/batches/{id}}.
 *
 * @param counts how many of its jobs are in each status (statuses with none are left out)
 * @param ended jobs that reached a terminal status
 * @param progress {@code ended / total}, from 0 to 1
 * @param firstStartedAt when its first job started
 * @param lastFinishedAt when its latest job ended
 * @param completedAt when its last job ended: the batch is done
 */
public record BatchView(
        UUID id,
        int total,
        Instant createdAt,
        Map<JobStatus, Long> counts,
        long ended,
        double progress,
        @Nullable Instant firstStartedAt,
        @Nullable Instant lastFinishedAt,
        @Nullable Instant canceledAt,
        @Nullable Instant completedAt,
        @Nullable String webhookUrl,
        String jobsUrl) {}
