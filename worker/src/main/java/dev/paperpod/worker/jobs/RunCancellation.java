package dev.paperpod.worker.jobs;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets a cancel stop one run: the runner says what stops it ({@link #onCancel}: closing its agent connection, say),
 * and a cancel that came before it said so stops it at once. A run stopped this way ends CANCELED, whatever it threw.
 */
public final class RunCancellation {

    private final List<Runnable> stops = new ArrayList<>();
    private boolean canceled;

    /** Runs {@code stop} when the job is canceled: at once if it already is. Safe from any thread. */
    public void onCancel(Runnable stop) {
        synchronized (this) {
            if (!canceled) {
                stops.add(stop);
                return;
            }
        }
        stop.run();
    }

    public synchronized boolean isCanceled() {
        return canceled;
    }

    /** Idempotent; the stops run on the caller's thread. */
    void cancel() {
        List<Runnable> toRun;
        synchronized (this) {
            if (canceled) {
                return;
            }
            canceled = true;
            toRun = List.copyOf(stops);
            stops.clear();
        }
        toRun.forEach(Runnable::run);
    }
}
