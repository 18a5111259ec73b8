package dev.paperpod.schemas.event;

import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobResult;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Timing;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A job ended. Also the reply a synchronous client waits for.
 *
 * @param status a terminal status
 * @param result what the program produced, when it ran
 * @param error why PaperPod could not run it, when it did not
 * @param timing where the time went, when the job reached a sandbox
 * @param sandboxId the sandbox it ran in, when it reached one (an account's sandbox is told apart from its successor
 *     by it)
 */
public record JobFinished(
        UUID eventId,
        UUID jobId,
        Instant at,
        UUID accountId,
        JobKind kind,
        JobSource source,
        int attempt,
        JobStatus status,
        @Nullable JobResult result,
        @Nullable JobError error,
        @Nullable Timing timing,
        @Nullable String sandboxId)
        implements JobEvent {

    /** An end that names no sandbox. */
    public JobFinished(
            UUID eventId,
            UUID jobId,
            Instant at,
            UUID accountId,
            JobKind kind,
            JobSource source,
            int attempt,
            JobStatus status,
            @Nullable JobResult result,
            @Nullable JobError error,
            @Nullable Timing timing) {
        this(eventId, jobId, at, accountId, kind, source, attempt, status, result, error, timing, null);
    }

    public JobFinished {
        if (!status.isTerminal()) {
            throw new IllegalArgumentException("a finished job needs a terminal status, not " + status);
        }
    }
}
