package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What every {@link ComponentHeartbeats} does: a component's last heartbeat, and how old it is. */
abstract class ComponentHeartbeatsContract {

    protected abstract Stores stores();

    @Test
    void theLastHeartbeatOfAComponentIsKept() {
        ComponentHeartbeats heartbeats = stores().components();
        String component = "component-" + UUID.randomUUID();
        assertThat(heartbeats.last(component)).isEmpty();

        heartbeats.record(component, "one", "STARTING", "connecting");
        heartbeats.record(component, "two", "RUNNING", "ok");

        assertThat(heartbeats.last(component)).hasValueSatisfying(beat -> {
            assertThat(beat.instanceId()).isEqualTo("two");
            assertThat(beat.state()).isEqualTo("RUNNING");
            assertThat(beat.detail()).isEqualTo("ok");
            assertThat(beat.age()).isLessThan(Duration.ofMinutes(1));
        });
    }
}
