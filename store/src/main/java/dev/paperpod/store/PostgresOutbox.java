package dev.paperpod.store;

import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.job.JobEnvelope;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The outbox as the table Debezium reads; rows are deleted in the transaction that inserts them. */
public final class PostgresOutbox implements Outbox {

    private final JdbcClient jdbc;

    public PostgresOutbox(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void enqueue(JobEnvelope job, String key) {
        // Debezium's outbox event router relays the insert to paperpod.jobs.<aggregatetype>; the delete keeps the
        // table empty and is not published (the publication carries inserts only).
        UUID outboxId = UUID.randomUUID();
        jdbc.sql("""
                        insert into outbox (id, aggregatetype, aggregateid, type, payload)
                        values (?, ?, ?, 'job.submitted', ?::jsonb)
                        """)
                .params(outboxId, job.kind().wireName(), key, Wire.writeString(job))
                .update();
        jdbc.sql("delete from outbox where id = ?").param(outboxId).update();
    }
}
