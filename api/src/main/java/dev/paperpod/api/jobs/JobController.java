package dev.paperpod.api.jobs;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.http.JobAccepted;
import dev.paperpod.schemas.http.JobList;
import dev.paperpod.schemas.http.JobView;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.store.JobStore;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /v1/jobs}: submit work of any kind durably and in the background, then poll (or long-poll) for its outcome.
 */
@RestController
@RequestMapping("/v1/jobs")
class JobController {

    private static final int DEFAULT_PAGE = 20;
    private static final int MAX_PAGE = 100;

    private final JsonBody body;
    private final JobRequests requests;
    private final AccountJobs jobs;
    private final JobStore store;
    private final JobEventStreams eventStreams;
    private final JobCompletions completions;
    private final ApiProperties properties;
    private final Clock clock;

    JobController(
            JsonBody body,
            JobRequests requests,
            AccountJobs jobs,
            JobStore store,
            JobEventStreams eventStreams,
            JobCompletions completions,
            ApiProperties properties,
            Clock clock) {
        this.body = body;
        this.requests = requests;
        this.jobs = jobs;
        this.store = store;
        this.eventStreams = eventStreams;
        this.completions = completions;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Accepts a job of any kind durably ({@code "kind"}, exec when absent). With an {@code Idempotency-Key} header, a
     * retry of the same request answers what the first one did (with {@code Idempotent-Replayed: true}) instead of
     * creating a second job.
     */
    @PostMapping
    ResponseEntity<JobAccepted> submit(
            Caller caller,
            HttpServletRequest request,
            @RequestHeader(name = IdempotencyKeys.HEADER, required = false) @Nullable String idempotencyKey) {
        String key = IdempotencyKeys.validate(idempotencyKey);
        ObjectNode asked = body.object(request);
        Instant now = clock.instant();
        JobRequests.Background background = requests.background(asked, now);
        JobEnvelope job = new JobEnvelope(
                UUID.randomUUID(), caller.accountId(), JobSource.ASYNC, now, null, 1, background.spec());
        String url = "/v1/jobs/" + job.jobId();
        JobAccepted accepted = new JobAccepted(job.jobId(), JobStatus.QUEUED, now, url);
        AccountJobs.Submitted submitted =
                jobs.submit(job, background, key == null ? null : new AccountJobs.Idempotency(key, asked), accepted);
        JobAccepted answer = submitted.answer();
        ResponseEntity.BodyBuilder response = ResponseEntity.accepted().location(URI.create(answer.url()));
        if (submitted.replayed()) {
            response.header("Idempotent-Replayed", "true");
        }
        return response.body(answer);
    }

    /**
     * The job now, or with {@code ?wait=N} as soon as it ends but after at most N seconds.
     */
    @GetMapping("/{id}")
    CompletableFuture<JobView> get(
            Caller caller, @PathVariable String id, @RequestParam(required = false) @Nullable String wait) {
        UUID jobId = JobIds.parse(id);
        long waitSeconds = parseWait(wait);
        JobView job = load(jobId, caller);
        if (job.status().isTerminal() || waitSeconds == 0) {
            return CompletableFuture.completedFuture(job);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        return awaitEnd(jobId, caller, deadline);
    }

    /**
     * The account's jobs, newest first, a page at a time: {@code ?status=QUEUED,RUNNING&kind=exec&batch=<id>&limit=20},
     * then {@code &cursor=<nextCursor>} for the next page.
     */
    @GetMapping
    JobList list(
            Caller caller,
            @RequestParam(required = false) @Nullable String status,
            @RequestParam(required = false) @Nullable String kind,
            @RequestParam(required = false) @Nullable String batch,
            @RequestParam(required = false) @Nullable String cursor,
            @RequestParam(required = false) @Nullable String limit) {
        Set<JobStatus> statuses = EnumSet.noneOf(JobStatus.class);
        if (status != null && !status.isBlank()) {
            for (String one : status.split(",")) {
                try {
                    statuses.add(JobStatus.valueOf(one.trim().toUpperCase(java.util.Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalidField(
                            "status",
                            "status '" + one.trim() + "' is not one",
                            "use one or more of " + java.util.Arrays.toString(JobStatus.values())
                                    + ", separated by commas");
                }
            }
        }
        if (kind != null) {
            JobRequests.kind(kind); // a kind that exists, or a 400 naming the field
        }
        UUID batchId = null;
        if (batch != null) {
            try {
                batchId = UUID.fromString(batch);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalidField(
                        "batch",
                        "batch '" + batch + "' is not a batch id",
                        "batch ids are UUIDs, from POST /v1/batches");
            }
        }
        int size = DEFAULT_PAGE;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit.trim());
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > MAX_PAGE) {
                throw ApiException.invalidField(
                        "limit",
                        "limit must be a number from 1 to " + MAX_PAGE + ", not '" + limit + "'",
                        "leave it out for " + DEFAULT_PAGE);
            }
        }
        JobStore.Position after = cursor == null || cursor.isBlank() ? null : PageCursor.decode(cursor);
        return jobs.list(caller.accountId(), statuses, kind, batchId, after, size);
    }

    /**
     * The job's events as Server-Sent Events, from the start or after {@code Last-Event-ID}, until it ends. See
     * {@link JobEventStreams}.
     */
    @GetMapping(value = "/{id}/events", produces = "text/event-stream")
    SseEmitter events(
            Caller caller,
            @PathVariable String id,
            @RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId) {
        UUID jobId = JobIds.parse(id);
        return eventStreams.open(JobIds.owned(store, jobId, caller.accountId()), lastEventId);
    }

    /**
     * Cancels the job: a waiting one ends CANCELED at once (200), a running one is killed by its worker and ends
     * CANCELED shortly after (202; poll or long-poll for the end).
     */
    @PostMapping("/{id}/cancel")
    ResponseEntity<JobView> cancel(Caller caller, @PathVariable String id) {
        JobView job = jobs.cancel(JobIds.parse(id), caller.accountId());
        return ResponseEntity.status(job.status().isTerminal() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                .body(job);
    }

    private CompletableFuture<JobView> awaitEnd(UUID jobId, Caller caller, long deadline) {
        // Register first, then look: an end recorded in between still wakes us.
        CompletableFuture<Void> signal = completions.next(jobId);
        JobView job = load(jobId, caller);
        long left = deadline - System.nanoTime();
        if (job.status().isTerminal() || left <= 0) {
            completions.cancel(jobId, signal);
            return CompletableFuture.completedFuture(job);
        }
        return signal.completeOnTimeout(null, left, TimeUnit.NANOSECONDS).thenCompose(ignored -> {
            completions.cancel(jobId, signal);
            return System.nanoTime() >= deadline
                    ? CompletableFuture.completedFuture(load(jobId, caller))
                    : awaitEnd(jobId, caller, deadline);
        });
    }

    private JobView load(UUID jobId, Caller caller) {
        return jobs.find(jobId, caller.accountId()).orElseThrow(() -> JobIds.notFound(jobId));
    }

    private long parseWait(@Nullable String wait) {
        if (wait == null || wait.isBlank()) {
            return 0;
        }
        long max = properties.maxWait().toSeconds();
        long seconds;
        try {
            seconds = Long.parseLong(wait.trim());
        } catch (NumberFormatException e) {
            throw ApiException.invalidField(
                    "wait", "wait '" + wait + "' is not a number of seconds", "use ?wait=N with 0 ≤ N ≤ " + max);
        }
        if (seconds < 0 || seconds > max) {
            throw ApiException.invalidField(
                    "wait",
                    "wait must be between 0 and " + max + " seconds, not " + seconds,
                    "use ?wait=N with 0 ≤ N ≤ " + max);
        }
        return seconds;
    }
}
