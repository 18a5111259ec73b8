package dev.paperpod.store;

import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.job.JobKind;
import java.util.ArrayList;
import java.util.Arrays;
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
        int n = jobs.size();
        String[] kinds = new String[n];
        String[] keys = new String[n];
        String[] types = new String[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            Entry entry = jobs.get(i);
            kinds[i] = entry.job().kind().wireName();
            keys[i] = entry.key();
            types[i] = "job.submitted";
            payloads[i] = Wire.writeString(entry.job());
        }
        insert(kinds, keys, types, payloads);
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
        int n = byKind.size();
        String[] kinds = new String[n];
        String[] keys = new String[n];
        String[] types = new String[n];
        String[] payloads = new String[n];
        int i = 0;
        for (List<Entry> group : byKind.values()) {
            kinds[i] = group.get(0).job().kind().wireName();
            keys[i] = group.get(0).key();
            types[i] = GROUPED_TYPE;
            payloads[i] = Wire.writeString(group);
            i++;
        }
        insert(kinds, keys, types, payloads);
    }

    private void insert(String[] kinds, String[] keys, String[] types, String[] payloads) {
        if (kinds.length == 0) {
            return;
        }
        UUID[] ids = new UUID[kinds.length];
        Arrays.setAll(ids, i -> UUID.randomUUID());
        // Debezium's outbox event router relays the inserts (in this order) to paperpod.jobs.<aggregatetype>; the
        // delete keeps the table empty and is not published (the publication carries inserts only).
        jdbc.sql("""
                        insert into outbox (id, aggregatetype, aggregateid, type, payload)
                        select u.id, u.kind, u.key, u.type, u.payload::jsonb
                        from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[])
                             with ordinality as u(id, kind, key, type, payload, n)
                        order by u.n
                        """).params(ids, kinds, keys, types, payloads).update();
        jdbc.sql("delete from outbox where id = any(?::uuid[])").param(ids).update();
    }
}
