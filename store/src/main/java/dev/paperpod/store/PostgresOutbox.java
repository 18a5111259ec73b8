package dev.paperpod.store;

import static dev.paperpod.store.Unnest.column;

import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.job.JobKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The outbox as the table Debezium reads; rows are deleted in the transaction that inserts them. */
public final class PostgresOutbox implements Outbox {

    private final JdbcClient jdbc;

    public PostgresOutbox(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void enqueue(List<Entry> jobs) {
        insert(jobs.stream()
                .map(e -> new Row(e.job().kind().wireName(), e.key(), "job.submitted", Wire.writeString(e.job())))
                .toList());
    }

    @Override
    public void enqueueGrouped(List<Entry> jobs) {
        if (jobs.size() < 2) {
            enqueue(jobs);
            return;
        }
        // one row per kind (each kind has its topic), in the order of each kind's first job
        Map<JobKind, List<Entry>> byKind = new LinkedHashMap<>();
        jobs.forEach(e ->
                byKind.computeIfAbsent(e.job().kind(), k -> new ArrayList<>()).add(e));
        insert(byKind.values().stream()
                .map(group -> new Row(
                        group.get(0).job().kind().wireName(),
                        group.get(0).key(),
                        GROUPED_TYPE,
                        Wire.writeString(group)))
                .toList());
    }

    @Override
    public String databaseIdentity() {
        return jdbc.sql("select system_identifier::text from pg_control_system()")
                .query(String.class)
                .single();
    }

    /** An outbox row: {@code aggregatetype} (the kind: the topic), {@code aggregateid} (the key), type, payload. */
    private record Row(String kind, String key, String type, String payload) {}

    private void insert(List<Row> rows) {
        if (rows.isEmpty()) {
            return;
        }
        UUID[] ids = column(rows, r -> UUID.randomUUID(), UUID[]::new);
        // Debezium's outbox event router relays the inserts (in this order) to paperpod.jobs.<aggregatetype>; the
        // delete keeps the table empty and is not published (the publication carries inserts only). Two statements
        // in one round trip (the driver sends both before it waits).
        jdbc.sql("""
                        insert into outbox (id, aggregatetype, aggregateid, type, payload)
                        select u.id, u.kind, u.key, u.type, u.payload::jsonb
                        from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[])
                             with ordinality as u(id, kind, key, type, payload, n)
                        order by u.n;
                        delete from outbox where id = any(?::uuid[])
                        """)
                .params(
                        ids,
                        column(rows, Row::kind, String[]::new),
                        column(rows, Row::key, String[]::new),
                        column(rows, Row::type, String[]::new),
                        column(rows, Row::payload, String[]::new),
                        ids)
                .update();
    }
}
