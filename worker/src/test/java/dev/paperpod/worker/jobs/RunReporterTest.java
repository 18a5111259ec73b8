package dev.paperpod.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobOutput;
import dev.paperpod.schemas.event.JobOutput.Stream;
import dev.paperpod.schemas.event.JobRan;
import dev.paperpod.schemas.event.JobStarted;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class RunReporterTest {

    private static final Duration HOLD = Duration.ofMillis(50);

    private final UUID jobId = UUID.randomUUID();
    private final JobStarted started = new JobStarted(
            UUID.randomUUID(), jobId, Instant.EPOCH, UUID.randomUUID(), JobKind.EXEC, JobSource.ASYNC, 1, "w", "sbx");
    private final List<JobEvent> published = new ArrayList<>();
    private final List<JobSource> sources = new ArrayList<>();
    private final List<Scheduled> timers = new ArrayList<>();
    private final RunReporter report = RunReporter.begin(
            started, HOLD, new Recorder(), this::schedule, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));

    @Test
    void aRunThatEndsWithinTheHoldIsOneRecord() {
        report.accept(Stream.STDOUT, "a");
        report.accept(Stream.STDOUT, "b");
        JobFinished finished = finished();

        JobEvent end = report.end(finished);

        assertThat(published).as("nothing sent before the end").isEmpty();
        JobRan ran = (JobRan) end;
        assertThat(ran.started()).isEqualTo(started);
        assertThat(ran.output()).extracting(JobOutput::data).containsExactly("ab");
        assertThat(ran.finished()).isEqualTo(finished);
        assertThat(ran.eventId()).isEqualTo(finished.eventId());
        assertThat(timers.get(0).future.isCancelled()).as("the hold's timer").isTrue();
    }

    @Test
    void aLongerRunSendsItsStartAndOutputWhenTheHoldPassesThenOutputAsItComes() {
        report.accept(Stream.STDOUT, "early");
        fire(0);
        assertThat(published).hasSize(2);
        assertThat(published.get(0)).isEqualTo(started);
        assertThat(((JobOutput) published.get(1)).data()).isEqualTo("early");

        report.accept(Stream.STDOUT, "a");
        report.accept(Stream.STDOUT, "b");
        assertThat(published).as("coalesced until the delay").hasSize(2);
        assertThat(timers.get(1).delay).isEqualTo(RunReporter.MAX_DELAY);
        fire(1);
        assertThat(((JobOutput) published.get(2)).data()).isEqualTo("ab");

        report.accept(Stream.STDOUT, "tail");
        JobFinished finished = finished();
        assertThat(report.end(finished)).isEqualTo(finished);
        assertThat(((JobOutput) published.get(3)).data()).isEqualTo("tail");
        assertThat(published)
                .extracting(e -> e instanceof JobOutput o ? o.seq() : -1L)
                .containsExactly(-1L, 0L, 1L, 2L);
        assertThat(sources)
                .as("each sent as its job's: a background job's may linger")
                .containsOnly(JobSource.ASYNC);

        fire(2);
        assertThat(published).as("nothing after the end").hasSize(4);
    }

    @Test
    void theOtherStreamCutsAChunkAndMuchOutputEndsTheHold() {
        report.accept(Stream.STDOUT, "out");
        report.accept(Stream.STDERR, "err");
        assertThat(published).isEmpty();

        report.accept(Stream.STDERR, "x".repeat(RunReporter.MAX_CHARS));

        assertThat(published).first().isEqualTo(started);
        assertThat(published.subList(1, published.size()))
                .extracting(e -> ((JobOutput) e).stream())
                .containsExactly(Stream.STDOUT, Stream.STDERR);
        assertThat(((JobOutput) published.get(2)).data()).hasSize(3 + RunReporter.MAX_CHARS);
    }

    @Test
    void withoutAHoldTheStartGoesOutAtOnce() {
        RunReporter.begin(started, Duration.ZERO, new Recorder(), this::schedule, Clock.systemUTC());
        assertThat(published).containsExactly(started);
    }

    private JobFinished finished() {
        return new JobFinished(
                UUID.randomUUID(),
                jobId,
                Instant.EPOCH,
                started.accountId(),
                JobKind.EXEC,
                JobSource.ASYNC,
                1,
                JobStatus.SUCCEEDED,
                new ExecResult("ab", "", 0, Verdict.OK, false, 1),
                null,
                null);
    }

    private Future<?> schedule(Duration delay, Runnable task) {
        Scheduled s = new Scheduled(delay, task, new CompletableFuture<>());
        timers.add(s);
        return s.future;
    }

    private void fire(int i) {
        Scheduled s = timers.get(i);
        if (!s.future.isCancelled()) {
            s.task.run();
        }
    }

    private record Scheduled(Duration delay, Runnable task, CompletableFuture<Void> future) {}

    private final class Recorder implements JobEventPublisher {
        @Override
        public CompletableFuture<?> publish(JobEvent event, JobSource source) {
            published.add(event);
            sources.add(source);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<?> reply(ReplyAddress to, JobFinished finished) {
            throw new UnsupportedOperationException();
        }
    }
}
