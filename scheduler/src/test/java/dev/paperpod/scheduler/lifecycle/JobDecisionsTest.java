package dev.paperpod.scheduler.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobStarted;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Verdict;
import dev.paperpod.store.JobRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class JobDecisionsTest {

    private static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");
    private static final JobError FAULT = new JobError("SANDBOX_LOST", "gone", true);

    private final JobDecisions decide = new JobDecisions(
            new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), RandomGenerator.of("L64X128MixRandom")));

    @Test
    void aRetryableFaultWithAttemptsLeftWaitsForTheNextAttempt() {
        JobRecord running = running(background(3), 1);

        JobRecord after = decide.finished(running, end(running, 1, JobStatus.FAILED, null, FAULT));

        assertThat(after.status()).isEqualTo(JobStatus.RETRYING);
        assertThat(after.nextAttemptAt()).isBetween(T0.plusMillis(500), T0.plusSeconds(1));
        assertThat(after.error()).isEqualTo(FAULT);
    }

    @Test
    void aRetryableFaultOnTheLastAttemptOrOfASyncJobFails() {
        JobRecord last = running(background(1), 1);
        JobRecord sync = running(
                JobRecord.waiting(
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        "exec",
                        "sync",
                        1,
                        1,
                        T0,
                        null,
                        JobPriority.NORMAL,
                        null,
                        T0),
                1);

        assertThat(decide.finished(last, end(last, 1, JobStatus.FAILED, null, FAULT))
                        .status())
                .isEqualTo(JobStatus.FAILED);
        assertThat(decide.finished(sync, end(sync, 1, JobStatus.FAILED, null, FAULT))
                        .status())
                .isEqualTo(JobStatus.FAILED);
    }

    @Test
    void aFailureAfterACancelWasAskedForEndsCanceledAndIsNeverRetried() {
        JobRecord canceling = running(background(3), 1).cancel(T0, "enough");

        assertThat(decide.finished(canceling, end(canceling, 1, JobStatus.FAILED, null, FAULT))
                        .status())
                .isEqualTo(JobStatus.CANCELED);
        assertThat(decide.faulted(canceling, FAULT, T0).status()).isEqualTo(JobStatus.CANCELED);
    }

    @Test
    void aResultIsTheJobsEndWhateverItsVerdict() {
        JobRecord running = running(background(3), 1);
        ExecResult timedOut = new ExecResult("", "", null, Verdict.TIMEOUT, false, 1000);

        JobRecord after = decide.finished(running, end(running, 1, JobStatus.TIMED_OUT, timedOut, null));

        assertThat(after.status()).isEqualTo(JobStatus.TIMED_OUT);
        assertThat(after.result()).isEqualTo(timedOut);
    }

    @Test
    void eventsOfAnAttemptThatIsOverChangeNothing() {
        JobRecord retried = decide.finished(
                        running(background(3), 1), end(running(background(3), 1), 1, JobStatus.FAILED, null, FAULT))
                .requeued();
        JobRecord ended = decide.finished(
                running(background(3), 1),
                end(
                        running(background(3), 1),
                        1,
                        JobStatus.SUCCEEDED,
                        new ExecResult("", "", 0, Verdict.OK, false, 1),
                        null));

        assertThat(decide.started(retried, started(retried, 1)))
                .as("attempt 1 after attempt 2 began")
                .isNull();
        assertThat(decide.finished(retried, end(retried, 1, JobStatus.SUCCEEDED, null, null)))
                .isNull();
        assertThat(decide.started(ended, started(ended, 1))).as("an ended job").isNull();
    }

    @Test
    void aShortRunsStartAndEndAreDecidedTogetherOrEachAlone() {
        JobRecord queued = background(3);
        JobFinished end = end(queued, 1, JobStatus.SUCCEEDED, new ExecResult("", "", 0, Verdict.OK, false, 1), null);

        assertThat(decide.ran(queued, started(queued, 1), end, true, true).status())
                .isEqualTo(JobStatus.SUCCEEDED);
        assertThat(decide.ran(queued, started(queued, 1), end, true, false).status())
                .isEqualTo(JobStatus.RUNNING);
        assertThat(decide.ran(queued, started(queued, 1), end, false, false)).isNull();
    }

    private static JobRecord background(int maxAttempts) {
        return JobRecord.waiting(
                UUID.randomUUID(),
                UUID.randomUUID(),
                "exec",
                "async",
                1,
                maxAttempts,
                T0,
                null,
                JobPriority.NORMAL,
                null,
                T0);
    }

    private JobRecord running(JobRecord job, int attempt) {
        return decide.started(job, started(job, attempt));
    }

    private static JobStarted started(JobRecord job, int attempt) {
        return new JobStarted(
                UUID.randomUUID(), job.id(), T0, job.accountId(), JobKind.EXEC, JobSource.ASYNC, attempt, "w-1", "s-1");
    }

    private static JobFinished end(
            JobRecord job, int attempt, JobStatus status, @Nullable ExecResult result, @Nullable JobError error) {
        return new JobFinished(
                UUID.randomUUID(),
                job.id(),
                T0,
                job.accountId(),
                JobKind.EXEC,
                JobSource.ASYNC,
                attempt,
                status,
                result,
                error,
                null);
    }
}
