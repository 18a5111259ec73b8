package dev.paperpod.api.web;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;

/**
 * Work an api instance does every {@code interval} while it runs, on a daemon thread of its own; a tick that throws
 * is the subclass's to catch (one that escapes stops the timer).
 */
public abstract class Periodic implements SmartLifecycle {

    private final String threadName;
    private final Duration interval;
    private @Nullable ScheduledExecutorService timer;

    protected Periodic(String threadName, Duration interval) {
        this.threadName = threadName;
        this.interval = interval;
    }

    /** One round of the work. */
    protected abstract void tick();

    @Override
    public synchronized void start() {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, threadName);
            thread.setDaemon(true);
            return thread;
        });
        t.scheduleWithFixedDelay(this::tick, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        timer = t;
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return timer != null;
    }
}
