package dev.paperpod.store;

import dev.paperpod.embedded.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One real PostgreSQL for every store test of this module's run, migrated as the apps migrate it, and the PostgreSQL
 * adapters of every store port on it. Started on first use; stopped when the test JVM ends.
 */
final class PostgresStores {

    private static final PostgresServer SERVER = start();
    /** One instance: a transaction's connection is found by its data source. */
    static final DataSource DATA_SOURCE = SERVER.dataSource();

    static final JdbcClient JDBC = JdbcClient.create(DATA_SOURCE);

    static final Stores STORES = new Stores(
            new PostgresJobStore(JDBC, Clock.systemUTC()),
            new PostgresDispatchQueue(JDBC),
            new PostgresWorkerStore(JDBC),
            new PostgresBatchStore(JDBC),
            new PostgresWebhookStore(JDBC),
            new PostgresIdempotencyStore(JDBC),
            new PostgresAccountStore(JDBC),
            new PostgresComponentHeartbeats(JDBC),
            new PostgresSandboxStore(JDBC),
            new PostgresPreviewStore(JDBC),
            new PostgresBrowserSessionStore(JDBC, new TransactionTemplate(new JdbcTransactionManager(DATA_SOURCE))),
            new TransactionTemplate(new JdbcTransactionManager(DATA_SOURCE)));

    private PostgresStores() {}

    static PostgresServer server() {
        return SERVER;
    }

    /** Empties the tables of jobs and what hangs off them, and of workers, for suites that need none there. */
    static void reset() {
        JDBC.sql("truncate jobs, job_attempts, job_output, batches, webhook_deliveries, webhook_attempts,"
                        + " worker_capacity, workers cascade")
                .update();
    }

    private static PostgresServer start() {
        try {
            Path home =
                    Files.createTempDirectory(Path.of("target"), "store-pg-").toAbsolutePath();
            PostgresServer server = PostgresServer.start(home, 0, "paperpod");
            Flyway.configure()
                    .dataSource(server.jdbcUrl(), server.user(), server.password())
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "store-pg-stop"));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
