package dev.paperpod.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobOutput;
import dev.paperpod.schemas.event.JobOutput.Stream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class OutputEventSinkTest {

    private final List<JobOutput> published = new ArrayList<>();
    private final MutableClock clock = new MutableClock();
    private final OutputEventSink sink = new OutputEventSink(UUID.randomUUID(), 1, new Recorder(), clock);

    @Test
    void coalescesSmallWritesUntilTheDelayPasses() {
        sink.accept(Stream.STDOUT, "a");
        sink.accept(Stream.STDOUT, "b");
        assertThat(published).isEmpty();

        clock.advance(OutputEventSink.MAX_DELAY);
        sink.accept(Stream.STDOUT, "c");

        assertThat(published).extracting(JobOutput::data).containsExactly("abc");
    }

    @Test
    void sendsWhenTheOtherStreamSpeaksOrEnoughHasGathered() {
        sink.accept(Stream.STDOUT, "out");
        sink.accept(Stream.STDERR, "err");
        sink.accept(Stream.STDERR, "x".repeat(OutputEventSink.MAX_CHARS));
        sink.accept(Stream.STDOUT, "tail");
        sink.flush();

        assertThat(published)
                .extracting(JobOutput::stream)
                .containsExactly(Stream.STDOUT, Stream.STDERR, Stream.STDOUT);
        assertThat(published).extracting(JobOutput::seq).containsExactly(0L, 1L, 2L);
        assertThat(published.get(1).data()).hasSize(3 + OutputEventSink.MAX_CHARS);
        assertThat(published.get(2).data()).isEqualTo("tail");
    }

    @Test
    void flushingNothingSendsNothing() {
        sink.flush();
        assertThat(published).isEmpty();
    }

    private final class Recorder implements JobEventPublisher {
        @Override
        public CompletableFuture<?> publish(JobEvent event) {
            published.add((JobOutput) event);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<?> reply(ReplyAddress to, JobFinished finished) {
            throw new UnsupportedOperationException();
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-28T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
