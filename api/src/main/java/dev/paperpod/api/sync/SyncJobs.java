package dev.paperpod.api.sync;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobResult;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.schemas.job.JobSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Sync jobs of any kind, for each kind's own endpoints ({@code POST /execute}): the job goes straight to the workers
 * on Kafka and its client waits for the end — its job's timeout, plus {@code paperpod.api.sync-queue-grace} to reach a
 * worker. A job that could not run, or that no worker answered, is PaperPod's error in the one error shape.
 */
@Component
public class SyncJobs {

    private final JobQueue queue;
    private final ServedKinds served;
    private final ApiProperties properties;
    private final Clock clock;

    SyncJobs(JobQueue queue, ServedKinds served, ApiProperties properties, Clock clock) {
        this.queue = queue;
        this.served = served;
        this.properties = properties;
        this.clock = clock;
    }

    /** A sync job and how long its client waits for it. */
    public record Submission(JobEnvelope job, Duration clientWaits) {}

    /**
     * The job of {@code spec} for the caller, given up on by its worker once its client will have stopped waiting.
     *
     * @param streamOutput whether the worker publishes the output as it comes (a streaming endpoint)
     */
    public Submission prepare(Caller caller, JobSpec spec, boolean streamOutput) {
        Instant now = clock.instant();
        Duration wait = Duration.ofMillis(spec.timeoutMs()).plus(properties.syncQueueGrace());
        JobEnvelope job = new JobEnvelope(
                UUID.randomUUID(), caller.accountId(), JobSource.SYNC, now, now.plus(wait), 1, spec, streamOutput);
        return new Submission(job, wait);
    }

    /**
     * Sends the job to its kind's sync topic; completes with its end.
     *
     * @throws ApiException 503 {@code NO_WORKER} when workers are live and none runs the job's kind
     */
    public CompletableFuture<JobFinished> submit(Submission submission) {
        served.require(submission.job().kind());
        return queue.submitAndAwait(submission.job(), submission.clientWaits());
    }

    /** Sends the job to one worker's own topic (an account's sandbox it hosts); completes with its end. */
    public CompletableFuture<JobFinished> submitToWorker(Submission submission, String workerId) {
        return queue.submitToWorkerAndAwait(submission.job(), workerId, submission.clientWaits());
    }

    /**
     * Waits for the end on the calling thread (a request's virtual one: answering from the reply consumer's thread
     * would take Spring's async dispatch, another hand-off between threads and another pass through the filters).
     *
     * @throws ApiException when the job could not be queued, no worker answered, or it ended without a result
     */
    public <T> T await(CompletableFuture<T> end) {
        try {
            return end.join();
        } catch (CompletionException e) {
            throw failure(e.getCause() != null ? e.getCause() : e);
        } catch (CancellationException e) {
            throw failure(e); // as the future's other failures (join does not wrap this one)
        }
    }

    /**
     * The result of a job that ran, whatever its exit or outcome (the user's own failure is a result).
     *
     * @throws ApiException 503 when PaperPod could not run it but another try may, 502 when not
     */
    public static JobResult resultOf(JobFinished finished) {
        JobResult result = finished.result();
        if (result != null) {
            return result;
        }
        JobError error = finished.error();
        String code = error == null ? "JOB_FAILED" : error.code();
        String message = error == null ? "the job ended " + finished.status() + " without a result" : error.message();
        HttpStatus status =
                error != null && error.retryable() ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.BAD_GATEWAY;
        throw new ApiException(status, code, message, "retry; GET /health shows whether workers are ready", null);
    }

    /** A failure of a sync job's round trip, as the client is told of it. */
    public static RuntimeException failure(Throwable e) {
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof JobQueue.NoReplyException) {
            return new ApiException(
                    HttpStatus.GATEWAY_TIMEOUT,
                    "NO_WORKER_REPLY",
                    e.getMessage(),
                    "GET /health shows whether a worker with a ready sandbox is up; long work belongs in POST /v1/jobs",
                    null);
        }
        return new ApiException(
                HttpStatus.SERVICE_UNAVAILABLE,
                "QUEUE_UNAVAILABLE",
                "the job could not be queued: " + e.getMessage(),
                "retry; GET /health shows whether Kafka is up",
                null);
    }
}
