package dev.paperpod.api.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.ApiExceptions;
import dev.paperpod.api.web.MutableClock;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.store.WorkerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServedKindsTest {

    private static final JobKind EXEC = new JobKind("exec");
    private static final JobKind BROWSER = new JobKind("browser");

    private final MutableClock clock = new MutableClock();
    private final List<WorkerStore.Worker> live = new ArrayList<>();
    private int reads;
    private final WorkerStore workers = new WorkerStore() {
        @Override
        public void heartbeat(WorkerHeartbeat beat) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Worker> heardSince(Instant since) {
            reads++;
            return List.copyOf(live);
        }
    };
    private final ServedKinds served = new ServedKinds(new LiveWorkers(workers, ApiExceptions.properties(), clock));

    private static WorkerStore.Worker running(JobKind... kinds) {
        List<WorkerHeartbeat.Capacity> capacity = new ArrayList<>();
        for (JobKind kind : kinds) {
            capacity.add(new WorkerHeartbeat.Capacity(kind, 0, 1, 1));
        }
        return new WorkerStore.Worker("w", Instant.EPOCH, capacity, null);
    }

    @Test
    void aKindNoLiveWorkerRunsIsRefusedAtOnce() {
        live.add(running(EXEC));

        ApiException refused = catchThrowableOfType(ApiException.class, () -> served.require(BROWSER));

        assertThat(refused.status().value()).isEqualTo(503);
        assertThat(refused.body().error().code()).isEqualTo("NO_WORKER");
        assertThat(refused.getMessage()).contains("browser");
        assertThatCode(() -> served.require(EXEC))
                .as("even a busy worker runs its kind")
                .doesNotThrowAnyException();
    }

    @Test
    void withNoLiveWorkerAtAllTheJobWaitsForOne() {
        assertThatCode(() -> served.require(BROWSER)).doesNotThrowAnyException();
    }

    @Test
    void theWorkersAreReadAtMostOnceASecond() {
        live.add(running(EXEC));
        served.require(EXEC);
        live.set(0, running(EXEC, BROWSER));

        assertThat(catchThrowableOfType(ApiException.class, () -> served.require(BROWSER)))
                .as("still the first read")
                .isNotNull();
        clock.advance(Duration.ofMillis(1_001));
        assertThatCode(() -> served.require(BROWSER)).doesNotThrowAnyException();
        assertThat(reads).isEqualTo(2);
    }

    @Test
    void aWorkerAskedForByNameThatTheLastReadMissedIsReadAgainAtOnce() {
        LiveWorkers workers = new LiveWorkers(this.workers, ApiExceptions.properties(), clock);
        live.add(running(EXEC));
        assertThat(workers.live()).hasSize(1);
        WorkerStore.Worker started = new WorkerStore.Worker("started-just-now", Instant.EPOCH, List.of(), null);
        live.add(started);

        assertThat(workers.live()).as("within the second: the last read").hasSize(1);
        assertThat(workers.find("started-just-now")).contains(started);
        assertThat(workers.live()).as("that read is the last now").hasSize(2);
        assertThat(workers.find("w")).isPresent();
        assertThat(reads).isEqualTo(2);
        assertThat(workers.find("never-heard-of")).isEmpty();
        assertThat(reads).as("a name no read has: read again, and still absent").isEqualTo(3);
    }
}
