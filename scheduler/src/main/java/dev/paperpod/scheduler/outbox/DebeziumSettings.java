package dev.paperpod.scheduler.outbox;

import dev.paperpod.scheduler.SchedulerProperties;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The Debezium configuration of the outbox relay: the PostgreSQL connector reading only the outbox table through
 * the publication and slot the migrations created, streaming only (no snapshot: the rows are deleted as they are
 * written, and the slot keeps every insert since the schema exists), and the outbox event router. The same
 * connector settings serve Debezium on Kafka Connect (see {@code infra/debezium/outbox-connector.json}).
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/database}
 * @param databaseIdentity distinguishes databases that share a name, e.g. PostgreSQL's system identifier
 */
public record DebeziumSettings(
        String jdbcUrl,
        String user,
        @Nullable String password,
        String databaseIdentity,
        SchedulerProperties.Outbox outbox) {

    public Properties properties() {
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        String database = uri.getPath().replaceFirst("^/", "");
        String host = outbox.databaseHost() != null ? outbox.databaseHost() : uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : 5432;

        Properties p = new Properties();
        p.setProperty("name", "paperpod-outbox");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", offsetFile(database).toString());
        p.setProperty("offset.flush.interval.ms", "1000");

        p.setProperty("database.hostname", host);
        p.setProperty("database.port", Integer.toString(port));
        p.setProperty("database.user", user);
        p.setProperty("database.password", password == null ? "" : password);
        p.setProperty("database.dbname", database);
        p.setProperty("topic.prefix", "paperpod");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", outbox.slotName());
        p.setProperty("publication.name", outbox.publicationName());
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", "public.outbox");
        p.setProperty("snapshot.mode", "no_data");
        p.setProperty(
                "poll.interval.ms",
                Long.toString(Math.max(1, outbox.pollInterval().toMillis())));
        // Debezium's queue hands a batch over when it is full or when the poll interval ends, and spins through
        // the last millisecond of every interval (its timer counts whole milliseconds): with batches of one, each
        // record leaves as soon as it is read, and the poll interval only paces reading an idle WAL.
        p.setProperty("max.batch.size", "1");
        p.setProperty("errors.max.retries", "0");

        p.setProperty("transforms", "outbox");
        p.setProperty("transforms.outbox.type", "io.debezium.transforms.outbox.EventRouter");
        p.setProperty("transforms.outbox.route.by.field", "aggregatetype");
        p.setProperty("transforms.outbox.route.topic.replacement", "paperpod.jobs.${routedByValue}");
        p.setProperty("transforms.outbox.table.field.event.key", "aggregateid");
        p.setProperty("transforms.outbox.table.field.event.payload", "payload");
        // OutboxRelay splits a row of several jobs (Outbox.GROUPED_TYPE) into a record per job
        p.setProperty("transforms.outbox.table.fields.additional.placement", "type:header");
        return p;
    }

    /** One offsets file per database: a fresh database must never resume from another one's position. */
    Path offsetFile(String database) {
        String name = "outbox-offsets-" + databaseIdentity + "-" + database + "-" + outbox.slotName() + ".dat";
        return outbox.offsetDir().resolve(name.replaceAll("[^A-Za-z0-9._-]", "_"));
    }
}
