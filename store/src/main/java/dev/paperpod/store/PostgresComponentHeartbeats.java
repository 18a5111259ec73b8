package dev.paperpod.store;

import java.time.Duration;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link ComponentHeartbeats} on the {@code component_heartbeats} table, one row per component. */
public final class PostgresComponentHeartbeats implements ComponentHeartbeats {

    private final JdbcClient jdbc;

    public PostgresComponentHeartbeats(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void record(String component, String instanceId, String state, String detail) {
        jdbc.sql("""
                        insert into component_heartbeats (component, instance_id, state, detail, last_seen)
                        values (?, ?, ?, ?, now())
                        on conflict (component) do update
                        set instance_id = excluded.instance_id, state = excluded.state,
                            detail = excluded.detail, last_seen = excluded.last_seen
                        """).params(component, instanceId, state, detail).update();
    }

    @Override
    public Optional<Heartbeat> last(String component) {
        return jdbc.sql("""
                        select instance_id, state, detail, extract(epoch from now() - last_seen) * 1000 as age_ms
                        from component_heartbeats where component = ?
                        """)
                .param(component)
                .query((rs, n) -> new Heartbeat(
                        rs.getString("instance_id"),
                        rs.getString("state"),
                        rs.getString("detail"),
                        Duration.ofMillis(Math.max(0, rs.getLong("age_ms")))))
                .optional();
    }
}
