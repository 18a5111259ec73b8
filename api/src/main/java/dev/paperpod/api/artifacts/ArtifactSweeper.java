package dev.paperpod.api.artifacts;

import dev.paperpod.artifacts.ArtifactStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Deletes artifacts past their expiry, every {@code paperpod.artifacts.sweep-interval}. Every api instance may sweep:
 * deleting what has expired twice is harmless.
 */
@Component
class ArtifactSweeper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ArtifactSweeper.class);

    private final ArtifactStore store;
    private final Duration interval;
    private final Clock clock;
    private @Nullable ScheduledExecutorService timer;

    ArtifactSweeper(
            ArtifactStore store, @Value("${paperpod.artifacts.sweep-interval:10m}") Duration interval, Clock clock) {
        this.store = store;
        this.interval = interval;
        this.clock = clock;
    }

    /** Deletes what has expired now; returns how many artifacts. */
    int sweep() {
        try {
            int deleted = store.deleteExpired(clock.instant());
            if (deleted > 0) {
                log.info("Deleted {} expired artifacts", deleted);
            }
            return deleted;
        } catch (IOException | RuntimeException e) {
            log.warn("Sweeping expired artifacts failed: {}", e.toString());
            return 0;
        }
    }

    @Override
    public synchronized void start() {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "artifact-sweeper");
            thread.setDaemon(true);
            return thread;
        });
        t.scheduleWithFixedDelay(this::sweep, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
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
