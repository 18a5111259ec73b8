package dev.paperpod.api.exec;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.jobs.JobEventStreams;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.http.ExecRequest;
import dev.paperpod.schemas.http.ExecResponse;
import dev.paperpod.schemas.http.TimingView;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobSource;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** {@code POST /execute}: run code and answer with its output, the client waiting. */
@RestController
class ExecController {

    private final JsonBody body;
    private final ExecRequestValidator validator;
    private final JobQueue queue;
    private final JobEventStreams streams;
    private final ApiProperties properties;
    private final Clock clock;

    ExecController(
            JsonBody body,
            ExecRequestValidator validator,
            JobQueue queue,
            JobEventStreams streams,
            ApiProperties properties,
            Clock clock) {
        this.streams = streams;
        this.body = body;
        this.validator = validator;
        this.queue = queue;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * {@code /execute} as Server-Sent Events: {@code output} chunks as the program writes them, then
     * {@code finished} with the same answer {@code /execute} gives, or {@code error} with the error body.
     */
    @PostMapping(value = "/execute/stream", produces = "text/event-stream")
    SseEmitter executeStream(Caller caller, HttpServletRequest request) {
        SyncJob sync = syncJob(caller, request, true);
        CompletableFuture<ExecResponse> answer =
                queue.submitAndAwait(sync.job(), sync.clientWaits()).thenApply(ExecController::response);
        return streams.streamSync(sync.job().jobId(), answer, e -> {
            RuntimeException failure = failure(e);
            return failure instanceof ApiException api ? api.body() : failure.getMessage();
        });
    }

    /**
     * Waits for the reply on the request's own (virtual) thread: answering from the reply consumer's thread would
     * take Spring's async dispatch, another hand-off between threads and another pass through the filters.
     */
    @PostMapping("/execute")
    ExecResponse execute(Caller caller, HttpServletRequest request) {
        SyncJob sync = syncJob(caller, request, false);
        try {
            return response(queue.submitAndAwait(sync.job(), sync.clientWaits()).join());
        } catch (CompletionException e) {
            throw failure(e.getCause() != null ? e.getCause() : e);
        } catch (CancellationException e) {
            throw failure(e); // as the future's other failures (join does not wrap this one)
        }
    }

    /** A sync job and how long its client waits for it. */
    private record SyncJob(JobEnvelope job, Duration clientWaits) {}

    /** Reads and checks the body; the client waits for the job's timeout plus the time to reach a worker. */
    private SyncJob syncJob(Caller caller, HttpServletRequest request, boolean streamOutput) {
        ExecRequest exec = body.read(request, ExecRequest.class);
        ExecSpec spec = validator.toSpec(exec);
        validator.maxAttempts(exec, false);
        Instant now = clock.instant();
        validator.schedule(exec, false, now);
        Duration wait = Duration.ofMillis(spec.timeoutMs()).plus(properties.syncQueueGrace());
        JobEnvelope job = new JobEnvelope(
                UUID.randomUUID(), caller.accountId(), JobSource.SYNC, now, now.plus(wait), 1, spec, streamOutput);
        return new SyncJob(job, wait);
    }

    private static ExecResponse response(JobFinished finished) {
        ExecResult result = finished.result();
        if (result == null) {
            JobError error = finished.error();
            String code = error == null ? "JOB_FAILED" : error.code();
            String message =
                    error == null ? "the job ended " + finished.status() + " without a result" : error.message();
            HttpStatus status =
                    error != null && error.retryable() ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.BAD_GATEWAY;
            throw new ApiException(status, code, message, "retry; GET /health shows whether workers are ready", null);
        }
        return new ExecResponse(
                result.stdout(),
                result.stderr(),
                result.exitCode(),
                result.durationMs(),
                result.cpuMs(),
                result.peakMemoryBytes(),
                result.verdict(),
                result.truncated(),
                finished.jobId(),
                finished.timing() == null ? null : TimingView.of(finished.timing()));
    }

    private static RuntimeException failure(Throwable e) {
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
