package dev.paperpod.store;

import static dev.paperpod.store.PostgresJobStore.instant;

import dev.paperpod.schemas.job.JobStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link BatchStore} on the {@code batches} table and the batch ids of {@code jobs}. */
public final class PostgresBatchStore implements BatchStore {

    private final JdbcClient jdbc;

    public PostgresBatchStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void insert(Batch batch) {
        jdbc.sql("insert into batches (id, account_id, total, webhook_url, created_at) values (?, ?, ?, ?, ?)")
                .params(batch.id(), batch.accountId(), batch.total(), batch.webhookUrl(), ts(batch.createdAt()))
                .update();
    }

    @Override
    public Optional<Batch> find(UUID batchId, UUID accountId) {
        return jdbc.sql("""
                        select id, account_id, total, webhook_url, created_at, canceled_at, completed_at from batches
                        where id = ? and account_id = ?
                        """)
                .params(batchId, accountId)
                .query(PostgresBatchStore::map)
                .optional();
    }

    @Override
    public Progress progress(UUID batchId) {
        Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
        Instant[] span = new Instant[2];
        jdbc.sql("""
                        select status, count(*) as n, min(started_at) as first_started, max(finished_at) as last_finished
                        from jobs where batch_id = ? group by status
                        """).param(batchId).query(rs -> {
            counts.put(JobStatus.valueOf(rs.getString("status")), rs.getLong("n"));
            span[0] = earliest(span[0], instant(rs, "first_started"));
            span[1] = latest(span[1], instant(rs, "last_finished"));
        });
        return new Progress(counts, span[0], span[1]);
    }

    @Override
    public boolean markCanceled(UUID batchId, UUID accountId, Instant at) {
        return jdbc.sql("update batches set canceled_at = coalesce(canceled_at, ?) where id = ? and account_id = ?")
                        .params(ts(at), batchId, accountId)
                        .update()
                == 1;
    }

    @Override
    public List<JobRecord> unfinishedJobs(UUID batchId) {
        return jdbc.sql("select " + PostgresJobStore.COLUMNS
                        + PostgresJobStore.withStatuses(" from jobs where batch_id = ? and status in {unfinished}"))
                .param(batchId)
                .query(PostgresJobStore::map)
                .list();
    }

    private static Batch map(ResultSet rs, int row) throws SQLException {
        return new Batch(
                rs.getObject("id", UUID.class),
                rs.getObject("account_id", UUID.class),
                rs.getInt("total"),
                rs.getString("webhook_url"),
                Objects.requireNonNull(instant(rs, "created_at")),
                instant(rs, "canceled_at"),
                instant(rs, "completed_at"));
    }

    private static Timestamp ts(Instant at) {
        return Timestamp.from(at);
    }

    private static @Nullable Instant earliest(@Nullable Instant a, @Nullable Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static @Nullable Instant latest(@Nullable Instant a, @Nullable Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }
}
