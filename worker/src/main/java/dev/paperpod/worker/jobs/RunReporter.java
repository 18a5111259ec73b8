package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobOutput;
import dev.paperpod.schemas.event.JobRan;
import dev.paperpod.schemas.event.JobStarted;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Reports one run of a job: its {@code job.started}, its output as {@code job.output} chunks, its end. The start
 * and the first output are held for {@code hold}: a run that ends within it — most do, in milliseconds — goes out
 * as one {@code job.ran} record instead of three or more (a third of the Kafka records, and one read-and-save of the
 * job in the projector instead of two). A longer run sends its start and what it printed when {@code hold} has
 * passed, then its output as it comes, coalesced so a chatty program is not one record per line: a chunk goes out
 * when {@value #MAX_CHARS} characters have gathered, when the other stream speaks, or {@link #MAX_DELAY} after its
 * first character. Output past {@value #MAX_CHARS} characters ends the hold at once.
 *
 * <p>Events go out in order: every method runs under the reporter's lock, the timer's included.
 */
final class RunReporter implements OutputSink {

    static final int MAX_CHARS = 16 * 1024;
    static final Duration MAX_DELAY = Duration.ofMillis(100);

    /** Runs a task after a delay; the future cancels it. */
    @FunctionalInterface
    interface Timer {
        Future<?> after(Duration delay, Runnable task);
    }

    private final JobStarted started;
    private final JobEventPublisher events;
    private final Timer timer;
    private final Clock clock;
    /** Chunks cut while the start is held, sent with it. */
    private final List<JobOutput> held = new ArrayList<>();

    private final StringBuilder pending = new StringBuilder();
    private JobOutput.Stream pendingStream = JobOutput.Stream.STDOUT;
    private long seq;
    private boolean startSent;
    private boolean ended;
    private @Nullable Future<?> due;

    private RunReporter(JobStarted started, JobEventPublisher events, Timer timer, Clock clock) {
        this.started = started;
        this.events = events;
        this.timer = timer;
        this.clock = clock;
    }

    /** Begins reporting a run; nothing is sent before {@code hold} has passed (zero: the start goes out now). */
    static RunReporter begin(JobStarted started, Duration hold, JobEventPublisher events, Timer timer, Clock clock) {
        RunReporter reporter = new RunReporter(started, events, timer, clock);
        synchronized (reporter) {
            if (hold.isZero() || hold.isNegative()) {
                reporter.release();
            } else {
                reporter.due = timer.after(hold, reporter::onTimer);
            }
        }
        return reporter;
    }

    @Override
    public synchronized void accept(JobOutput.Stream stream, String text) {
        if (ended) {
            return;
        }
        if (stream != pendingStream) {
            cut();
            pendingStream = stream;
        }
        boolean first = pending.isEmpty();
        pending.append(text);
        if (pending.length() >= MAX_CHARS) {
            release();
            cut();
        } else if (first && startSent && due == null) {
            due = timer.after(MAX_DELAY, this::onTimer);
        }
    }

    /**
     * Ends the report: the record that ends the run, to be published by the caller (with the sync reply, and
     * retried with it) — {@code job.ran} when nothing was sent yet, else {@code job.finished}, after the last
     * output chunk has been sent.
     */
    synchronized JobEvent end(JobFinished finished) {
        ended = true;
        if (due != null) {
            due.cancel(false);
            due = null;
        }
        cut();
        return startSent ? finished : new JobRan(started, held, finished);
    }

    private synchronized void onTimer() {
        due = null;
        if (ended) {
            return;
        }
        release();
        cut();
    }

    /** Sends the start and the output held with it: the run outlasted the hold. */
    private void release() {
        if (startSent) {
            return;
        }
        startSent = true;
        events.publish(started, started.source());
        held.forEach(chunk -> events.publish(chunk, started.source()));
        held.clear();
    }

    /** Makes the pending text a chunk: sent when the start is out, else held with it. */
    private void cut() {
        if (pending.isEmpty()) {
            return;
        }
        JobOutput chunk = new JobOutput(
                UUID.randomUUID(),
                started.jobId(),
                clock.instant(),
                started.attempt(),
                seq++,
                pendingStream,
                pending.toString());
        pending.setLength(0);
        if (startSent) {
            events.publish(chunk, started.source());
        } else {
            held.add(chunk);
        }
    }
}
