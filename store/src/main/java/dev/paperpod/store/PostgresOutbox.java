package dev.paperpod.store;

import dev.paperpod.schemas.Wire;
import java.util.List;
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
        if (jobs.isEmpty()) {
            return;
        }
        int n = jobs.size();
        UUID[] ids = new UUID[n];
        String[] types = new String[n];
        String[] keys = new String[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            Entry entry = jobs.get(i);
            ids[i] = UUID.randomUUID();
            types[i] = entry.job().kind().wireName();
            keys[i] = entry.key();
            payloads[i] = Wire.writeString(entry.job());
        }
        // Debezium's outbox event router relays the inserts (in this order) to paperpod.jobs.<aggregatetype>; the
        // delete keeps the table empty and is not published (the publication carries inserts only).
        jdbc.sql("""
                        insert into outbox (id, aggregatetype, aggregateid, type, payload)
                        select u.id, u.type, u.key, 'job.submitted', u.payload::jsonb
                        from unnest(?::uuid[], ?::text[], ?::text[], ?::text[]) with ordinality as u(id, type, key, payload, n)
                        order by u.n
                        """).params(ids, types, keys, payloads).update();
        jdbc.sql("delete from outbox where id = any(?::uuid[])").param(ids).update();
    }
}
