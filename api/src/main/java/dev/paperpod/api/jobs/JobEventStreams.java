package dev.paperpod.api.jobs;

import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.store.JobRecord;
import dev.paperpod.store.JobStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * A job's life as Server-Sent Events: {@code queued}, {@code started} (per attempt), {@code output} (chunks as the
 * program writes them), {@code attempt.failed} (an attempt lost to an infrastructure fault), {@code finished}.
 * Every event has an id in the stream's order ({@code 0}, {@code 1.0}, {@code 1.1.0}, {@code 1.1.1}, … {@code end}),
 * so a client that reconnects with {@code Last-Event-ID} gets exactly what it missed. The stream is read from
 * PostgreSQL and woken by its notifications, so any API instance serves any job.
 */
@Component
public class JobEventStreams {

    private static final Logger log = LoggerFactory.getLogger(JobEventStreams.class);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    private static final Duration MAX_STREAM = Duration.ofHours(1);

    private final JobStore store;
    private final JobCompletions changes;
    /** One thread per open stream, mostly waiting: a virtual one where the JVM has them (21 and later). */
    private final SimpleAsyncTaskExecutor streams = streamThreads();

    JobEventStreams(JobStore store, JobCompletions changes) {
        this.store = store;
        this.changes = changes;
    }

    private static SimpleAsyncTaskExecutor streamThreads() {
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("job-events-");
        executor.setDaemon(true);
        executor.setVirtualThreads(Runtime.version().feature() >= 21);
        return executor;
    }

    /** Streams the job's events after {@code lastEventId} (all when null or unknown) until it ends. */
    SseEmitter open(JobRecord job, @Nullable String lastEventId) {
        SseEmitter emitter = new SseEmitter(MAX_STREAM.toMillis());
        Key after = Key.parse(lastEventId);
        streams.execute(() -> pump(job.id(), after, emitter));
        return emitter;
    }

    /**
     * Streams a sync job ({@code POST /execute/stream}): its output chunks as the worker publishes them, then
     * {@code finished} with the whole answer (stdout and stderr complete, whatever chunks came before), or
     * {@code error} with the error body.
     */
    public SseEmitter streamSync(UUID jobId, CompletableFuture<?> answer, Function<Throwable, Object> errorBody) {
        SseEmitter emitter = new SseEmitter(MAX_STREAM.toMillis());
        streams.execute(() -> pumpSync(jobId, answer, errorBody, emitter));
        return emitter;
    }

    private void pumpSync(
            UUID jobId, CompletableFuture<?> answer, Function<Throwable, Object> errorBody, SseEmitter emitter) {
        long[] last = {-1};
        try {
            while (true) {
                CompletableFuture<Void> changed = changes.next(jobId);
                boolean done = answer.isDone();
                // a sync job has one attempt
                for (JobStore.Output chunk : store.output(jobId, 1, last[0])) {
                    emitter.send(SseEmitter.event()
                            .id(new Key(1, 1, chunk.seq()).toString())
                            .name("output")
                            .data(output(chunk), MediaType.APPLICATION_JSON));
                    last[0] = chunk.seq();
                }
                if (done) {
                    changes.cancel(jobId, changed);
                    try {
                        emitter.send(SseEmitter.event()
                                .id(Key.END.toString())
                                .name("finished")
                                .data(answer.join(), MediaType.APPLICATION_JSON));
                    } catch (java.util.concurrent.CompletionException e) {
                        Throwable cause = e.getCause() != null ? e.getCause() : e;
                        emitter.send(SseEmitter.event()
                                .name("error")
                                .data(errorBody.apply(cause), MediaType.APPLICATION_JSON));
                    }
                    emitter.complete();
                    return;
                }
                try {
                    CompletableFuture.anyOf(changed, answer).get(KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    emitter.send(SseEmitter.event().comment("keep-alive"));
                } catch (java.util.concurrent.ExecutionException e) {
                    // the answer failed: reported on the next round
                } finally {
                    changes.cancel(jobId, changed);
                }
            }
        } catch (IOException | IllegalStateException e) {
            log.debug("Stream of sync job {} ended: {}", jobId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            emitter.complete();
        }
    }

    private void pump(UUID jobId, Key after, SseEmitter emitter) {
        Key last = after;
        try {
            while (true) {
                // Register before reading: a change in between still wakes the next wait.
                CompletableFuture<Void> changed = changes.next(jobId);
                JobRecord job = store.find(jobId).orElseThrow();
                for (Event event : events(job, last)) {
                    emitter.send(SseEmitter.event()
                            .id(event.key().toString())
                            .name(event.name())
                            .data(event.data(), MediaType.APPLICATION_JSON));
                    last = event.key();
                }
                if (job.status().isTerminal()) {
                    changes.cancel(jobId, changed);
                    emitter.complete();
                    return;
                }
                try {
                    changed.get(KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    changes.cancel(jobId, changed);
                    emitter.send(SseEmitter.event().comment("keep-alive"));
                }
            }
        } catch (IOException | IllegalStateException e) {
            log.debug("Event stream of job {} ended: {}", jobId, e.toString()); // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            emitter.complete();
        } catch (Exception e) {
            emitter.completeWithError(e);
        }
    }

    /** Every event of the job so far that comes after {@code last}, in order. */
    List<Event> events(JobRecord job, Key last) {
        List<Event> all = new ArrayList<>();
        Map<String, Object> queued = new LinkedHashMap<>();
        queued.put("status", "QUEUED");
        queued.put("createdAt", job.createdAt());
        queued.put("priority", job.priority());
        if (job.runAt() != null) {
            queued.put("runAt", job.runAt());
        }
        all.add(new Event(Key.QUEUED, "queued", queued));
        for (JobStore.Attempt attempt : store.attempts(job.id())) {
            Map<String, Object> started = new LinkedHashMap<>();
            started.put("attempt", attempt.attempt());
            started.put("workerId", attempt.workerId());
            started.put("startedAt", attempt.startedAt());
            all.add(new Event(new Key(attempt.attempt(), 0, 0), "started", started));
            boolean lost = attempt.finishedAt() != null
                    && (attempt.attempt() < job.attempt() || job.status() == JobStatus.RETRYING);
            if (lost) {
                Map<String, Object> failed = new LinkedHashMap<>();
                failed.put("attempt", attempt.attempt());
                failed.put("outcome", attempt.outcome());
                if (attempt.error() != null) {
                    failed.put("error", attempt.error());
                }
                all.add(new Event(new Key(attempt.attempt(), 2, 0), "attempt.failed", failed));
            }
        }
        for (JobStore.Output chunk : store.output(job.id(), last.attempt(), -1)) {
            all.add(new Event(new Key(chunk.attempt(), 1, chunk.seq()), "output", output(chunk)));
        }
        if (job.status().isTerminal()) {
            all.add(new Event(Key.END, "finished", AccountJobs.view(job)));
        }
        return all.stream()
                .filter(e -> e.key().compareTo(last) > 0)
                .sorted(Comparator.comparing(Event::key))
                .toList();
    }

    /** An output chunk as the stream's {@code output} event carries it. */
    private static Map<String, Object> output(JobStore.Output chunk) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("attempt", chunk.attempt());
        data.put("seq", chunk.seq());
        data.put("stream", chunk.stream());
        data.put("data", chunk.data());
        return data;
    }

    record Event(Key key, String name, Object data) {}

    /**
     * The place of an event in a job's stream: attempt, then kind (0 started, 1 output, 2 attempt failed), then
     * sequence. {@code 0} is queued; {@code end} finished.
     */
    record Key(int attempt, int kind, long seq) implements Comparable<Key> {
        static final Key BEFORE = new Key(-1, 0, 0);
        static final Key QUEUED = new Key(0, 0, 0);
        static final Key END = new Key(Integer.MAX_VALUE, 0, 0);

        static Key parse(@Nullable String id) {
            if (id == null || id.isBlank()) {
                return BEFORE;
            }
            if (id.equals("end")) {
                return END;
            }
            try {
                String[] parts = id.trim().split("\\.");
                return new Key(
                        Integer.parseInt(parts[0]),
                        parts.length > 1 ? Integer.parseInt(parts[1]) : 0,
                        parts.length > 2 ? Long.parseLong(parts[2]) : 0);
            } catch (NumberFormatException e) {
                return BEFORE; // not ours: start over, the client deduplicates by id
            }
        }

        @Override
        public int compareTo(Key o) {
            return Comparator.comparingInt(Key::attempt)
                    .thenComparingInt(Key::kind)
                    .thenComparingLong(Key::seq)
                    .compare(this, o);
        }

        @Override
        public String toString() {
            if (equals(END)) {
                return "end";
            }
            if (attempt == 0) {
                return "0";
            }
            return kind == 0 ? attempt + ".0" : kind == 1 ? attempt + ".1." + seq : attempt + ".2";
        }
    }
}
