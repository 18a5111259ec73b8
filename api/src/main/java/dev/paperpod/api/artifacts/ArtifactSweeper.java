package dev.paperpod.api.artifacts;

import dev.paperpod.api.web.Periodic;
import dev.paperpod.artifacts.ArtifactStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Deletes artifacts past their expiry, every {@code paperpod.artifacts.sweep-interval}. Every api instance may sweep:
 * deleting what has expired twice is harmless.
 */
@Component
class ArtifactSweeper extends Periodic {

    private static final Logger log = LoggerFactory.getLogger(ArtifactSweeper.class);

    private final ArtifactStore store;
    private final Clock clock;

    ArtifactSweeper(
            ArtifactStore store, @Value("${paperpod.artifacts.sweep-interval:10m}") Duration interval, Clock clock) {
        super("artifact-sweeper", interval);
        this.store = store;
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
    protected void tick() {
        sweep();
    }
}
