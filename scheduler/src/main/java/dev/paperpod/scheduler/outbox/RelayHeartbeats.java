package dev.paperpod.scheduler.outbox;

import dev.paperpod.scheduler.SchedulerProperties;
import dev.paperpod.store.ComponentHeartbeats;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/** Records the outbox relay's state in {@code component_heartbeats} every few seconds, for {@code /health}. */
@Component
@ConditionalOnProperty(name = "paperpod.scheduler.outbox.enabled", matchIfMissing = true)
class RelayHeartbeats implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RelayHeartbeats.class);

    private final OutboxRelay relay;
    private final ComponentHeartbeats heartbeats;
    private final SchedulerProperties properties;
    private ScheduledExecutorService timer;

    RelayHeartbeats(OutboxRelay relay, ComponentHeartbeats heartbeats, SchedulerProperties properties) {
        this.relay = relay;
        this.heartbeats = heartbeats;
        this.properties = properties;
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relay-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = properties.heartbeatInterval().toMillis();
        timer.scheduleAtFixedRate(() -> record(relay.status()), 0, period, TimeUnit.MILLISECONDS);
    }

    /** Says the relay is going away (it stops right after), so health turns at once, not when the beat goes stale. */
    @Override
    public void stop() {
        timer.shutdownNow();
        timer = null;
        record(new RelayStatus(RelayStatus.State.STOPPED, "the scheduler is stopping"));
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }

    /** After the relay starts, before it stops: the heartbeat never claims a relay that is not there. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE + 1;
    }

    private void record(RelayStatus status) {
        try {
            heartbeats.record(
                    ComponentHeartbeats.OUTBOX_RELAY,
                    properties.instanceId(),
                    status.state().name(),
                    status.detail());
        } catch (RuntimeException e) {
            log.warn("Cannot record the outbox relay heartbeat: {}", e.toString());
        }
    }
}
