package dev.paperpod.api.sync;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.store.WorkerStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The workers whose heartbeat is fresh ({@code paperpod.api.heartbeat-staleness}), read from the workers' store at
 * most once a second however many requests ask: every sync call that routes to a worker (a sandbox command, a
 * browser session's call, a preview) would otherwise read them each time. A worker asked for by name that the last
 * read did not have is read again at once, so a worker that has just started is found as soon as it has spoken.
 */
@Component
public class LiveWorkers {

    private static final Duration FRESH = Duration.ofSeconds(1);

    private final WorkerStore workers;
    private final Duration staleness;
    private final Clock clock;
    private volatile Read last = new Read(List.of(), Instant.MIN);

    LiveWorkers(WorkerStore workers, ApiProperties properties, Clock clock) {
        this.workers = workers;
        this.staleness = properties.heartbeatStaleness();
        this.clock = clock;
    }

    private record Read(List<WorkerStore.Worker> live, Instant at) {}

    /** The live workers, as read within the last second. */
    public List<WorkerStore.Worker> live() {
        Instant now = clock.instant();
        Read seen = last;
        if (seen.at().plus(FRESH).isAfter(now) && !seen.at().isAfter(now)) {
            return seen.live();
        }
        return read(now);
    }

    /** The live worker {@code workerId}: from the last read, or a fresh one when that did not have it. */
    public Optional<WorkerStore.Worker> find(String workerId) {
        Optional<WorkerStore.Worker> seen = named(live(), workerId);
        return seen.isPresent() ? seen : named(read(clock.instant()), workerId);
    }

    /** How old a heartbeat may be for its worker to count as live. */
    public Duration staleness() {
        return staleness;
    }

    private List<WorkerStore.Worker> read(Instant now) {
        List<WorkerStore.Worker> live = List.copyOf(workers.heardSince(now.minus(staleness)));
        last = new Read(live, now);
        return live;
    }

    private static Optional<WorkerStore.Worker> named(List<WorkerStore.Worker> live, String workerId) {
        return live.stream().filter(w -> w.workerId().equals(workerId)).findFirst();
    }
}
