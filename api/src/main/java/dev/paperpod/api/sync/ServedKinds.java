package dev.paperpod.api.sync;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.store.WorkerStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The job kinds some live worker runs, as their heartbeats tell: a sync job of a kind no worker runs (browsers
 * disabled, say) is refused at once rather than left to time out. Read from the workers' store at most once a second, however many requests ask.
 */
@Component
public class ServedKinds {

    private static final Duration FRESH = Duration.ofSeconds(1);

    private final WorkerStore workers;
    private final Duration staleness;
    private final Clock clock;
    private volatile Known known = new Known(Set.of(), false, Instant.MIN);

    ServedKinds(WorkerStore workers, ApiProperties properties, Clock clock) {
        this.workers = workers;
        this.staleness = properties.heartbeatStaleness();
        this.clock = clock;
    }

    /** @param anyWorker whether any worker is live at all */
    private record Known(Set<JobKind> kinds, boolean anyWorker, Instant readAt) {}

    /**
     * Refuses a kind that live workers do not run. With no live worker at all (PaperPod starting, every worker
     * restarting) the job is let through: it waits for one as long as its client does.
     *
     * @throws ApiException 503 {@code NO_WORKER} when workers are live and none runs {@code kind}
     */
    void require(JobKind kind) {
        Known now = known();
        if (now.anyWorker() && !now.kinds().contains(kind)) {
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "NO_WORKER",
                    "no worker runs " + kind.wireName() + " jobs right now",
                    "start one that does (./paperpod doctor tells what is missing), or send the job to POST /v1/jobs,"
                            + " where it waits for one",
                    null);
        }
    }

    private Known known() {
        Instant now = clock.instant();
        Known seen = known;
        if (seen.readAt().plus(FRESH).isAfter(now) && !seen.readAt().isAfter(now)) {
            return seen;
        }
        Set<JobKind> kinds = new HashSet<>();
        List<WorkerStore.Worker> live = workers.heardSince(now.minus(staleness));
        live.forEach(worker -> worker.capacity().forEach(c -> kinds.add(c.kind())));
        Known fresh = new Known(Set.copyOf(kinds), !live.isEmpty(), now);
        known = fresh;
        return fresh;
    }
}
