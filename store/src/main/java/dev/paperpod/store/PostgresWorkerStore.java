package dev.paperpod.store;

import static dev.paperpod.store.Unnest.column;

import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.JobKind;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link WorkerStore} on the {@code workers} and {@code worker_capacity} tables. */
public final class PostgresWorkerStore implements WorkerStore {

    private final JdbcClient jdbc;

    public PostgresWorkerStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void heartbeat(WorkerHeartbeat beat) {
        List<WorkerHeartbeat.Capacity> capacity = beat.capacity();
        // One statement: the worker's row, unless a later beat is there; then, only if it was written, its capacity
        // replaced by this beat's (kinds it no longer reports removed).
        jdbc.sql("""
                        with beat as (
                            insert into workers (worker_id, started_at, last_seen, tunnel_address, tunnel_key)
                            values (?, ?, ?, ?, ?)
                            on conflict (worker_id) do update
                            set started_at = excluded.started_at, last_seen = excluded.last_seen,
                                tunnel_address = excluded.tunnel_address, tunnel_key = excluded.tunnel_key
                            where workers.last_seen <= excluded.last_seen
                            returning worker_id
                        ), gone as (
                            delete from worker_capacity
                            where worker_id in (select worker_id from beat) and not (kind = any(?::text[]))
                        )
                        insert into worker_capacity (worker_id, kind, ready, busy, max)
                        select b.worker_id, u.kind, u.ready, u.busy, u.max
                        from beat b, unnest(?::text[], ?::int[], ?::int[], ?::int[]) as u(kind, ready, busy, max)
                        on conflict (worker_id, kind) do update
                        set ready = excluded.ready, busy = excluded.busy, max = excluded.max
                        """)
                .params(
                        beat.workerId(),
                        Timestamp.from(beat.startedAt()),
                        Timestamp.from(beat.at()),
                        beat.tunnel() == null ? null : beat.tunnel().address(),
                        beat.tunnel() == null ? null : beat.tunnel().key(),
                        column(capacity, c -> c.kind().wireName(), String[]::new),
                        column(capacity, c -> c.kind().wireName(), String[]::new),
                        column(capacity, WorkerHeartbeat.Capacity::ready, Integer[]::new),
                        column(capacity, WorkerHeartbeat.Capacity::busy, Integer[]::new),
                        column(capacity, WorkerHeartbeat.Capacity::max, Integer[]::new))
                .update();
    }

    @Override
    public List<Worker> heardSince(Instant since) {
        Map<String, Instant> seen = new LinkedHashMap<>();
        Map<String, WorkerHeartbeat.Tunnel> tunnels = new LinkedHashMap<>();
        Map<String, List<WorkerHeartbeat.Capacity>> capacity = new LinkedHashMap<>();
        jdbc.sql("""
                        select w.worker_id, w.last_seen, w.tunnel_address, w.tunnel_key, c.kind, c.ready, c.busy, c.max from workers w
                        left join worker_capacity c on c.worker_id = w.worker_id
                        where w.last_seen >= ? order by w.worker_id, c.kind
                        """).param(Timestamp.from(since)).query(rs -> {
            String id = rs.getString("worker_id");
            seen.put(id, Objects.requireNonNull(PostgresJobStore.instant(rs, "last_seen")));
            String tunnel = rs.getString("tunnel_address");
            if (tunnel != null) {
                tunnels.put(id, new WorkerHeartbeat.Tunnel(tunnel, rs.getString("tunnel_key")));
            }
            List<WorkerHeartbeat.Capacity> kinds = capacity.computeIfAbsent(id, k -> new ArrayList<>());
            String kind = rs.getString("kind");
            if (kind != null) {
                kinds.add(new WorkerHeartbeat.Capacity(
                        JobKind.of(kind), rs.getInt("ready"), rs.getInt("busy"), rs.getInt("max")));
            }
        });
        List<Worker> workers = new ArrayList<>(seen.size());
        seen.forEach((id, lastSeen) ->
                workers.add(new Worker(id, lastSeen, List.copyOf(capacity.get(id)), tunnels.get(id))));
        return workers;
    }
}
