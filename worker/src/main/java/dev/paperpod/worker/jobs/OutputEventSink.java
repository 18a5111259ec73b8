package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.event.JobOutput;
import dev.paperpod.worker.exec.OutputSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Turns a run's output into {@code job.output} events, coalesced so a chatty program does not become one Kafka
 * record per line: a stream's text goes out when {@value #MAX_CHARS} characters have gathered, when the other
 * stream speaks, when {@link #MAX_DELAY} has passed since the last event, and at the end.
 */
final class OutputEventSink implements OutputSink {

    static final int MAX_CHARS = 16 * 1024;
    static final Duration MAX_DELAY = Duration.ofMillis(100);

    private final UUID jobId;
    private final int attempt;
    private final JobEventPublisher events;
    private final Clock clock;
    private final StringBuilder pending = new StringBuilder();
    private JobOutput.Stream pendingStream = JobOutput.Stream.STDOUT;
    private Instant lastSent;
    private long seq;

    OutputEventSink(UUID jobId, int attempt, JobEventPublisher events, Clock clock) {
        this.jobId = jobId;
        this.attempt = attempt;
        this.events = events;
        this.clock = clock;
        this.lastSent = clock.instant();
    }

    @Override
    public void accept(JobOutput.Stream stream, String text) {
        if (stream != pendingStream) {
            flush();
            pendingStream = stream;
        }
        pending.append(text);
        if (pending.length() >= MAX_CHARS
                || Duration.between(lastSent, clock.instant()).compareTo(MAX_DELAY) >= 0) {
            flush();
        }
    }

    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        lastSent = clock.instant();
        events.publish(
                new JobOutput(UUID.randomUUID(), jobId, lastSent, attempt, seq++, pendingStream, pending.toString()));
        pending.setLength(0);
    }
}
