package dev.paperpod.worker.jobs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cancels this worker heard of, and the runs they can stop. Jobs canceled while queued are remembered (the most
 * recent {@value #REMEMBERED} of them, so memory stays bounded) for when their record reaches this worker.
 */
public final class JobCancels {

    static final int REMEMBERED = 10_000;

    private final Map<UUID, RunCancellation> running = new ConcurrentHashMap<>();
    private final Map<UUID, Boolean> canceled = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /** A cancel arrived: stops the job's run if it is running here, and remembers it otherwise. */
    public void cancel(UUID jobId) {
        synchronized (canceled) {
            canceled.put(jobId, Boolean.TRUE);
        }
        RunCancellation run = running.get(jobId);
        if (run != null) {
            run.cancel();
        }
    }

    public boolean isCanceled(UUID jobId) {
        synchronized (canceled) {
            return canceled.containsKey(jobId);
        }
    }

    /** The cancellation of the job's run, starting now; {@link #end} it when the run is over. */
    RunCancellation begin(UUID jobId) {
        RunCancellation run = new RunCancellation();
        running.put(jobId, run);
        if (isCanceled(jobId)) {
            run.cancel();
        }
        return run;
    }

    void end(UUID jobId) {
        running.remove(jobId);
    }
}
