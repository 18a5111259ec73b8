package dev.paperpod.api.jobs;

import dev.paperpod.store.JobStore;
import dev.paperpod.store.NotificationLoop;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Job changes through PostgreSQL {@code LISTEN/NOTIFY}: every save of a job notifies
 * {@link JobStore#ACTIVITY_CHANNEL} with the job id, on commit, its end included. One connection
 * listens for the whole API instance; long polls and event streams wait here.
 */
@Component
class PostgresJobCompletions implements JobCompletions, SmartLifecycle {

    private final DataSource dataSource;
    private final Map<UUID, Set<CompletableFuture<Void>>> waiters = new ConcurrentHashMap<>();
    private volatile @Nullable NotificationLoop loop;

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
        // After a (re)connection anything may have changed unseen: every waiter looks again.
        loop = new NotificationLoop(
                        "job-completions",
                        dataSource,
                        List.of(JobStore.ACTIVITY_CHANNEL),
                        Duration.ofMillis(500),
                        payloads -> payloads.forEach(this::wake),
                        this::wakeAll)
                .start();
    }

    @Override
    public void stop() {
        NotificationLoop l = loop;
        if (l != null) {
            l.close();
        }
        loop = null;
        wakeAll();
    }

    @Override
    public boolean isRunning() {
        return loop != null;
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
