package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.JobKind;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link WorkerStore} does: the latest heartbeat of each worker, its capacity per kind replaced whole. */
abstract class WorkerStoreContract {

    protected abstract Stores stores();

    @Test
    void aHeartbeatReplacesTheWorkersCapacityAndAnOlderOneChangesNothing() {
        WorkerStore workers = stores().workers();
        String id = "w-" + UUID.randomUUID();
        Instant t0 = Stores.now();
        JobKind browser = new JobKind("browser");
        workers.heartbeat(new WorkerHeartbeat(
                id,
                t0,
                t0,
                List.of(
                        new WorkerHeartbeat.Capacity(JobKind.EXEC, 2, 1, 4),
                        new WorkerHeartbeat.Capacity(browser, 1, 0, 1))));
        workers.heartbeat(new WorkerHeartbeat(
                id, t0.plusSeconds(2), t0, List.of(new WorkerHeartbeat.Capacity(JobKind.EXEC, 3, 0, 4))));
        workers.heartbeat(new WorkerHeartbeat(
                id, t0.plusSeconds(1), t0, List.of(new WorkerHeartbeat.Capacity(JobKind.EXEC, 0, 0, 0))));

        assertThat(workers.heardSince(t0.plusSeconds(1)))
                .filteredOn(w -> w.workerId().equals(id))
                .singleElement()
                .satisfies(w -> {
                    assertThat(w.lastSeen()).isEqualTo(t0.plusSeconds(2));
                    assertThat(w.capacity())
                            .as("the browser kind no longer reported, the late beat ignored")
                            .containsExactly(new WorkerHeartbeat.Capacity(JobKind.EXEC, 3, 0, 4));
                });
        assertThat(workers.heardSince(t0.plusSeconds(3)))
                .noneMatch(w -> w.workerId().equals(id));
    }

    @Test
    void aWorkerThatRunsNoKindIsStillHeardOf() {
        WorkerStore workers = stores().workers();
        String id = "w-" + UUID.randomUUID();
        Instant t0 = Stores.now();
        workers.heartbeat(new WorkerHeartbeat(id, t0, t0, List.of()));

        assertThat(workers.heardSince(t0))
                .filteredOn(w -> w.workerId().equals(id))
                .singleElement()
                .satisfies(w -> assertThat(w.capacity()).isEmpty());
    }

    @Test
    void aWorkersTunnelIsTheOneItsLatestHeartbeatNamed() {
        WorkerStore workers = stores().workers();
        String id = "w-" + UUID.randomUUID();
        Instant t0 = Stores.now();
        WorkerHeartbeat.Tunnel tunnel = new WorkerHeartbeat.Tunnel("10.0.0.7:4100", "k".repeat(32));
        workers.heartbeat(new WorkerHeartbeat(id, t0, t0, List.of(), tunnel));

        assertThat(workers.heardSince(t0))
                .filteredOn(w -> w.workerId().equals(id))
                .singleElement()
                .satisfies(w -> assertThat(w.tunnel()).isEqualTo(tunnel));

        workers.heartbeat(new WorkerHeartbeat(id, t0.plusSeconds(1), t0, List.of()));
        assertThat(workers.heardSince(t0))
                .filteredOn(w -> w.workerId().equals(id))
                .singleElement()
                .satisfies(w -> assertThat(w.tunnel())
                        .as("a restarted worker without one")
                        .isNull());
    }
}
