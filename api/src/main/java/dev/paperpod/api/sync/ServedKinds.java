package dev.paperpod.api.sync;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.store.WorkerStore;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The job kinds some live worker runs, as their heartbeats tell: a sync job of a kind no worker runs (browsers
 * disabled, say) is refused at once rather than left to time out ({@link LiveWorkers}: at most one read a second).
 */
@Component
public class ServedKinds {

    private final LiveWorkers workers;

    ServedKinds(LiveWorkers workers) {
        this.workers = workers;
    }

    /**
     * Refuses a kind that live workers do not run. With no live worker at all (PaperPod starting, every worker
     * restarting) the job is let through: it waits for one as long as its client does.
     *
     * @throws ApiException 503 {@code NO_WORKER} when workers are live and none runs {@code kind}
     */
    void require(JobKind kind) {
        List<WorkerStore.Worker> live = workers.live();
        if (!live.isEmpty()
                && live.stream()
                        .noneMatch(w ->
                                w.capacity().stream().anyMatch(c -> c.kind().equals(kind)))) {
            throw new ApiException(
                    HttpStatus.SERVICE_UNAVAILABLE,
                    "NO_WORKER",
                    "no worker runs " + kind.wireName() + " jobs right now",
                    "start one that does (./paperpod doctor tells what is missing), or send the job to POST /v1/jobs,"
                            + " where it waits for one",
                    null);
        }
    }
}
