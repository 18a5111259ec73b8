package dev.paperpod.api.jobs;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Job completions through PostgreSQL {@code LISTEN/NOTIFY}: the scheduler's projector notifies
 * {@value #CHANNEL} with the job id in the transaction that records the end of a job. One connection listens for
 * the whole API instance.
 */
@Component
class PostgresJobCompletions implements JobCompletions, SmartLifecycle {

    static final String CHANNEL = dev.paperpod.store.JobStore.FINISHED_CHANNEL;

    private static final Logger log = LoggerFactory.getLogger(PostgresJobCompletions.class);

    private final DataSource dataSource;
    private final Map<UUID, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread listener;

    PostgresJobCompletions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public CompletableFuture<Void> next(UUID jobId) {
        CompletableFuture<Void> waiter = new CompletableFuture<>();
        waiters.computeIfAbsent(jobId, id -> ConcurrentHashMap.newKeySet()).add(waiter);
        return waiter;
    }

    @Override
    public void cancel(UUID jobId, CompletableFuture<Void> waiter) {
        waiters.computeIfPresent(jobId, (id, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public void start() {
        running = true;
        listener = new Thread(this::listen, "job-completions");
        listener.setDaemon(true);
        listener.start();
    }

    @Override
    public void stop() {
        running = false;
        listener.interrupt();
        wakeAll();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement s = connection.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                    s.execute("LISTEN " + dev.paperpod.store.JobStore.ACTIVITY_CHANNEL);
                }
                // Anything that ended while we were not listening: let every waiter look again.
                wakeAll();
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications == null) {
                        continue;
                    }
                    for (PGNotification n : notifications) {
                        wake(n.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("Listening for job completions failed, reconnecting: {}", e.toString());
                    LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
                }
            }
        }
    }

    private void wake(String jobId) {
        UUID id;
        try {
            id = UUID.fromString(jobId);
        } catch (IllegalArgumentException e) {
            return;
        }
        Set<CompletableFuture<Void>> set = waiters.remove(id);
        if (set != null) {
            set.forEach(w -> w.complete(null));
        }
    }

    private void wakeAll() {
        waiters.keySet().forEach(id -> wake(id.toString()));
    }
}
