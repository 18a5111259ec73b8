package dev.paperpod.store;

import dev.paperpod.schemas.event.WorkerHeartbeat;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The workers as their heartbeats describe them: when each was last heard of, and its capacity per job kind. */
public interface WorkerStore {

    /** Records a heartbeat, unless a later one of the same worker is recorded already (they may come out of order). */
    void heartbeat(WorkerHeartbeat beat);

    /** The workers heard of since {@code since}, each with the capacity its latest heartbeat reported. */
    List<Worker> heardSince(Instant since);

    /**
     * A worker and what it has for each kind it runs.
     *
     * @param tunnel where the api reaches its sandboxes' ports, when its latest heartbeat said
     */
    record Worker(
            String workerId,
            Instant lastSeen,
            List<WorkerHeartbeat.Capacity> capacity,
            WorkerHeartbeat.@Nullable Tunnel tunnel) {}
}
