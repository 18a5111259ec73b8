package dev.paperpod.agent;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The agent's threads, kept for the next run: every run needs a handful (its connection, the output pumps, the
 * cancel watch, the memory sampler), and a new thread costs about 250 µs of CPU on our 2-core machines: made
 * afresh, they were a quarter of what a short run cost the sandbox (4.0 → 3.0 ms). A thread idle for a minute
 * ends. A body that throws is reported as an uncaught exception of its thread would be (on standard error).
 *
 * <p>As with new threads, a helper is had before the program is spawned or not at all: when none is idle and no
 * thread can be made (a job holds every pid), {@link #start} throws {@link OutOfMemoryError}.
 */
final class Helpers {

    private static final AtomicInteger COUNT = new AtomicInteger();
    private static final ThreadPoolExecutor POOL =
            new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), body -> {
                Thread t = new Thread(body, "agent-" + COUNT.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private Helpers() {}

    /** Runs {@code body} on an idle thread of the agent, or on a new one. */
    static Helper start(Runnable body) {
        FutureTask<Void> task = new FutureTask<>(
                () -> {
                    try {
                        body.run();
                    } catch (RuntimeException | Error e) {
                        Thread self = Thread.currentThread();
                        self.getUncaughtExceptionHandler().uncaughtException(self, e);
                        throw e;
                    }
                },
                null);
        POOL.execute(task);
        return new Helper(task);
    }

    /** Threads made so far (the test of their reuse reads it). */
    static int created() {
        return COUNT.get();
    }

    /** One body running on a helper thread. */
    static final class Helper {
        private final FutureTask<Void> task;

        private Helper(FutureTask<Void> task) {
            this.task = task;
        }

        /** Waits up to {@code millis} for the body to end, like {@link Thread#join(long)}. */
        void join(long millis) throws InterruptedException {
            try {
                task.get(millis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // still running, or ended by an exception (already reported): either way, done waiting
            }
        }

        boolean isAlive() {
            return !task.isDone();
        }
    }
}
