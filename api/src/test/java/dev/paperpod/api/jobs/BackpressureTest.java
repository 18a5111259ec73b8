package dev.paperpod.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.MutableClock;
import dev.paperpod.store.DispatchQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class BackpressureTest {

    private final UUID account = UUID.randomUUID();
    private final Queue queue = new Queue();
    private final MutableClock clock = new MutableClock();
    private final Backpressure backpressure = new Backpressure(queue, properties(100), clock);

    @Test
    void farBelowTheLimitARecentCountStandsInForANewOne() {
        queue.waiting = 10;
        backpressure.admit(account, 1);
        backpressure.admit(account, 1);
        backpressure.admit(account, 1);
        assertThat(queue.counts).isEqualTo(1);

        clock.advance(Backpressure.RECOUNT.plusMillis(1));
        backpressure.admit(account, 1);
        assertThat(queue.counts).as("the count grew stale").isEqualTo(2);
    }

    @Test
    void pastHalfTheLimitEverySubmissionCountsAndTheLimitHolds() {
        queue.waiting = 48;
        backpressure.admit(account, 1); // counted: 49
        backpressure.admit(account, 1); // 50 on that count: still within half, not counted
        assertThat(queue.counts).isEqualTo(1);
        queue.waiting = 50;
        backpressure.admit(account, 1); // 51 would pass half: counted
        backpressure.admit(account, 1); // counted again
        assertThat(queue.counts).isEqualTo(3);

        queue.waiting = 100;
        assertThatThrownBy(() -> backpressure.admit(account, 1))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("100 jobs waiting");
        assertThat(queue.counts).isEqualTo(4);
    }

    @Test
    void aSubmissionThatWouldPassTheLimitIsRefusedEvenRightAfterACount() {
        queue.waiting = 0;
        backpressure.admit(account, 1);
        assertThatThrownBy(() -> backpressure.admit(account, 101)).isInstanceOf(ApiException.class);
    }

    @Test
    void staleCountsAreDroppedOnceThereAreMany() {
        for (int i = 0; i < Backpressure.MAX_COUNTS; i++) {
            backpressure.admit(UUID.randomUUID(), 1);
        }
        clock.advance(Backpressure.RECOUNT.plusMillis(1));
        backpressure.admit(account, 1);
        assertThat(backpressure.countsKept()).isEqualTo(1);
    }

    private static ApiProperties properties(long maxQueued) {
        return new ApiProperties(
                "api-1",
                Duration.ofSeconds(30),
                Duration.ofMinutes(10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                DataSize.ofMegabytes(4),
                null,
                Duration.ofSeconds(10),
                maxQueued,
                DataSize.ofMegabytes(64),
                null,
                "http");
    }

    /** The waiting count is all Backpressure asks for (and the pace, when it refuses). */
    private static final class Queue implements DispatchQueue {
        long waiting;
        int counts;

        @Override
        public long waiting(UUID accountId, long atMost) {
            counts++;
            return Math.min(waiting, atMost);
        }

        @Override
        public OptionalLong maxQueued(UUID accountId) {
            return OptionalLong.empty();
        }

        @Override
        public long endedSince(Instant since) {
            return 60;
        }

        @Override
        public void announceWaiting() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Dispatched> takeNext(
                dev.paperpod.schemas.job.JobKind kind, List<Integer> partitions, int defaultConcurrency, Instant now) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Room room(Instant since) {
            throw new UnsupportedOperationException();
        }

        @Override
        public OptionalLong position(UUID jobId, Instant now) {
            throw new UnsupportedOperationException();
        }
    }
}
