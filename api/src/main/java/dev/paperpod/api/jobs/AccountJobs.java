package dev.paperpod.api.jobs;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.http.JobAccepted;
import dev.paperpod.schemas.http.JobList;
import dev.paperpod.schemas.http.JobView;
import dev.paperpod.schemas.http.TimingView;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.store.ConcurrentJobModificationException;
import dev.paperpod.store.DispatchQueue;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
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
    private final DispatchQueue queue;
    private final JobControl control;
    private final IdempotencyKeys keys;
    private final TransactionTemplate tx;
    private final Backpressure backpressure;
    private final InlineWebhooks inlineWebhooks;
    private final Clock clock;

    AccountJobs(
            JobStore store,
            DispatchQueue queue,
            JobControl control,
            IdempotencyKeys keys,
            TransactionTemplate tx,
            Backpressure backpressure,
            InlineWebhooks inlineWebhooks,
            Clock clock) {
        this.inlineWebhooks = inlineWebhooks;
        this.store = store;
        this.queue = queue;
        this.control = control;
        this.keys = keys;
        this.tx = tx;
        this.backpressure = backpressure;
        this.clock = clock;
    }

    /** An idempotency key and the request it guards. */
    record Idempotency(String key, Object request) {}

    /** The answer to a submission: the job accepted now, or the one a request with the same key accepted before. */
    record Submitted(JobAccepted answer, boolean replayed) {}

    /**
     * Stores the job, waiting for the dispatcher: when this returns, the job is durable and will reach a worker. With
     * an idempotency key, the key's first request does that and stores {@code accepted}; later ones get it back.
     *
     * @throws ApiException 429 {@code QUEUE_FULL} when the account has too many jobs waiting
     */
    Submitted submit(
            JobEnvelope job, JobRequests.Background request, @Nullable Idempotency idempotency, JobAccepted accepted) {
        String webhookUrl = inlineWebhooks.check(job.accountId(), request.webhookUrl());
        JobRecord record = JobRecord.waiting(
                job.jobId(),
                job.accountId(),
                job.kind().wireName(),
                job.source().wireName(),
                job.attempt(),
                request.maxAttempts(),
                job.submittedAt(),
                job.spec(),
                request.priority(),
                request.runAt(),
                null);
        return Objects.requireNonNull(tx.execute(status -> {
            if (idempotency != null) {
                Optional<IdempotencyKeys.Stored> before =
                        keys.claimOrReplay(job.accountId(), idempotency.key(), idempotency.request());
                if (before.isPresent()) {
                    return new Submitted(Wire.read(before.get().body(), JobAccepted.class), true);
                }
            }
            backpressure.admit(job.accountId(), 1);
            store.insert(record);
            if (webhookUrl != null) {
                inlineWebhooks.attach(job.jobId(), webhookUrl);
            }
            queue.announceWaiting();
            if (idempotency != null) {
                keys.store(job.accountId(), idempotency.key(), HttpStatus.ACCEPTED.value(), accepted);
            }
            return new Submitted(accepted, false);
        }));
    }

    /** A page of the account's jobs, newest first; the filters are checked by the caller. */
    JobList list(
            UUID accountId,
            Set<JobStatus> statuses,
            @Nullable String kind,
            @Nullable UUID batchId,
            JobStore.@Nullable Position after,
            int limit) {
        List<JobRecord> page = store.list(accountId, statuses, kind, batchId, after, limit + 1);
        boolean more = page.size() > limit;
        List<JobRecord> shown = more ? page.subList(0, limit) : page;
        String next = null;
        if (more) {
            JobRecord last = shown.get(shown.size() - 1);
            next = PageCursor.encode(new JobStore.Position(last.createdAt(), last.id()));
        }
        return new JobList(shown.stream().map(AccountJobs::view).toList(), more, next);
    }

    /** The job, if it exists and belongs to the account. */
    Optional<JobView> find(UUID jobId, UUID accountId) {
        return store.find(jobId).filter(j -> j.accountId().equals(accountId)).map(this::viewWithEstimate);
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
            JobRecord job = JobIds.owned(store, jobId, accountId);
            if (job.status().isTerminal()) {
                throw new ApiException(
                        HttpStatus.CONFLICT,
                        "JOB_ENDED",
                        "job " + jobId + " already ended " + job.status(),
                        "nothing to cancel; GET /v1/jobs/" + jobId + " shows its outcome",
                        null);
            }
            JobRecord changed = job.cancel(clock.instant(), "canceled by the client before it ran");
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

    /** The job, and while it waits its place in the queue and when it should start. */
    private JobView viewWithEstimate(JobRecord job) {
        if (job.status() != JobStatus.QUEUED) {
            return view(job, null, null);
        }
        Instant now = clock.instant();
        if (job.runAt() != null && job.runAt().isAfter(now)) {
            return view(job, null, job.runAt());
        }
        if (job.dispatchedAt() != null) {
            return view(job, 0L, now); // on its way to a worker
        }
        OptionalLong ahead = queue.position(job.id(), now);
        if (ahead.isEmpty()) {
            return view(job, null, null);
        }
        double pace = backpressure.pace();
        Instant eta = pace <= 0 ? null : now.plusMillis((long) ((ahead.getAsLong() + 1) / pace * 1000));
        return view(job, ahead.getAsLong(), eta);
    }

    static JobView view(JobRecord job) {
        return view(job, null, null);
    }

    private static JobView view(JobRecord job, @Nullable Long queuePosition, @Nullable Instant estimatedStartAt) {
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
                job.timing() == null ? null : TimingView.of(job.timing()),
                job.priority(),
                job.runAt(),
                queuePosition,
                estimatedStartAt);
    }
}
