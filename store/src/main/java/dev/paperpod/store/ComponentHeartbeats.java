package dev.paperpod.store;

import java.time.Duration;
import java.util.Optional;

/**
 * The moving parts that say every few seconds that they run (the outbox relay), for {@code /health}. The times are the
 * database's, so the api and the component need not share a clock.
 */
public interface ComponentHeartbeats {

    /** The outbox relay's component name. */
    String OUTBOX_RELAY = "outbox-relay";

    /** Records that {@code component} (on {@code instanceId}) is in {@code state} now. */
    void record(String component, String instanceId, String state, String detail);

    /** The component's last heartbeat, if it ever sent one. */
    Optional<Heartbeat> last(String component);

    /** @param age how long ago it came */
    record Heartbeat(String instanceId, String state, String detail, Duration age) {}
}
