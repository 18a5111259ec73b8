package dev.paperpod.api.jobs;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.http.JobAccepted;
import dev.paperpod.schemas.http.JobView;
import dev.paperpod.schemas.http.TimingView;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.store.ConcurrentJobModificationException;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import dev.paperpod.store.Outbox;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** An account's background jobs as the API offers them: submit, look at, cancel. */
@Component
class AccountJobs {

    private static final Logger log = LoggerFactory.getLogger(AccountJobs.class);
    /** Saves that lose a race read again; a handful of rounds is plenty for a row a few parties touch. */
    private static final int SAVE_ROUNDS = 5;

    private final JobStore store;
    private final Outbox outbox;
    private final JobControl control;
    private final IdempotencyKeys keys;
    private final TransactionTemplate tx;
    private final Clock clock;

    AccountJobs(
            JobStore store,
            Outbox outbox,
            JobControl control,
            IdempotencyKeys keys,
            TransactionTemplate tx,
            Clock clock) {
        this.keys = keys;
        this.store = store;
        this.outbox = outbox;
        this.control = control;
        this.tx = tx;
        this.clock = clock;
    }

    /** An idempotency key and the request it guards. */
    record Idempotency(String key, Object request) {}

    /** The answer to a submission: the job accepted now, or the one a request with the same key accepted before. */
    record Submitted(JobAccepted answer, boolean replayed) {}

    /**
     * Stores the job and its outbox record in one transaction: when this returns, the job will reach a worker. With
     * an idempotency key, the key's first request does that and stores {@code accepted}; later ones get it back.
     */
    Submitted submit(JobEnvelope job, int maxAttempts, @Nullable Idempotency idempotency, JobAccepted accepted) {
        JobRecord record = new JobRecord(
                job.jobId(),
                job.accountId(),
                job.kind().wireName(),
                job.source().wireName(),
                JobStatus.QUEUED,
                job.attempt(),
                maxAttempts,
                0,
                null,
                null,
                null,
                job.submittedAt(),
                null,
                null,
                job.spec(),
                null,
                null,
                null);
        return Objects.requireNonNull(tx.execute(status -> {
            if (idempotency != null) {
                Optional<IdempotencyKeys.Stored> before =
                        keys.claimOrReplay(job.accountId(), idempotency.key(), idempotency.request());
                if (before.isPresent()) {
                    return new Submitted(Wire.read(before.get().body(), JobAccepted.class), true);
                }
            }
            store.insert(record);
            outbox.enqueue(job);
            if (idempotency != null) {
                keys.store(job.accountId(), idempotency.key(), HttpStatus.ACCEPTED.value(), accepted);
            }
            return new Submitted(accepted, false);
        }));
    }

    /** The job, if it exists and belongs to the account. */
    Optional<JobView> find(UUID jobId, UUID accountId) {
        return store.find(jobId).filter(j -> j.accountId().equals(accountId)).map(AccountJobs::view);
    }

    /**
     * Cancels the job: one that waits (QUEUED, RETRYING) ends CANCELED now; a RUNNING one is marked and its worker
     * told to kill the process, and it ends CANCELED when the worker reports. Workers hear of every cancel, so one
     * that takes a canceled job from the queue drops it.
     *
     * @throws ApiException 404 when the account has no such job, 409 when it has already ended
     */
    JobView cancel(UUID jobId, UUID accountId) {
        for (int round = 1; ; round++) {
            JobRecord job = store.find(jobId)
                    .filter(j -> j.accountId().equals(accountId))
                    .orElseThrow(() -> ApiException.notFound(
                            "no job " + jobId,
                            "check the id; jobs are visible only to the account that submitted them"));
            if (job.status().isTerminal()) {
                throw new ApiException(
                        HttpStatus.CONFLICT,
                        "JOB_ENDED",
                        "job " + jobId + " already ended " + job.status(),
                        "nothing to cancel; GET /v1/jobs/" + jobId + " shows its outcome",
                        null);
            }
            JobRecord changed = job.status() == JobStatus.RUNNING
                    ? job.cancelRequested(clock.instant())
                    : job.ended(
                            JobStatus.CANCELED,
                            null,
                            new JobError("CANCELED", "canceled by the client before it ran", false),
                            null,
                            null,
                            clock.instant());
            try {
                JobRecord saved = store.save(changed);
                try {
                    control.cancel(saved);
                } catch (RuntimeException e) {
                    // The row is the truth: the job stays canceled; at worst a worker runs it and its end is ignored.
                    log.warn("Job {} canceled, but the workers were not told: {}", jobId, e.toString());
                }
                return view(saved);
            } catch (ConcurrentJobModificationException e) {
                if (round == SAVE_ROUNDS) {
                    throw e;
                }
                log.debug("Job {} changed while canceling it; reading it again", jobId);
            }
        }
    }

    static JobView view(JobRecord job) {
        return new JobView(
                job.id(),
                job.kind(),
                job.source(),
                job.status(),
                job.createdAt(),
                job.startedAt(),
                job.finishedAt(),
                job.attempt(),
                job.maxAttempts(),
                job.nextAttemptAt(),
                job.cancelRequestedAt(),
                job.result(),
                job.error(),
                job.timing() == null ? null : TimingView.of(job.timing()));
    }
}
