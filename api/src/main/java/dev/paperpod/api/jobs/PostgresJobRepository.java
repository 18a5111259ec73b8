package dev.paperpod.api.jobs;

import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.http.JobView;
import dev.paperpod.schemas.http.TimingView;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Timing;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

@Repository
class PostgresJobRepository implements JobRepository {

    private final JdbcClient jdbc;

    PostgresJobRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    @Transactional
    public void submit(JobEnvelope job) {
        jdbc.sql("""
                        insert into jobs (id, account_id, kind, source, status, spec, created_at)
                        values (?, ?, ?, ?, 'QUEUED', ?::jsonb, ?)
                        """)
                .params(
                        job.jobId(),
                        job.accountId(),
                        job.kind().wireName(),
                        job.source().wireName(),
                        Wire.writeString(job.spec()),
                        Timestamp.from(job.submittedAt()))
                .update();
        // Debezium's outbox event router relays the insert to paperpod.jobs.<aggregatetype>; the delete keeps the
        // table empty and is not published (the publication carries inserts only).
        UUID outboxId = UUID.randomUUID();
        jdbc.sql("""
                        insert into outbox (id, aggregatetype, aggregateid, type, payload)
                        values (?, ?, ?, 'job.submitted', ?::jsonb)
                        """)
                .params(outboxId, job.kind().wireName(), job.jobId().toString(), Wire.writeString(job))
                .update();
        jdbc.sql("delete from outbox where id = ?").param(outboxId).update();
    }

    @Override
    public Optional<JobView> find(UUID jobId, UUID accountId) {
        return jdbc.sql("""
                        select id, kind, source, status, created_at, started_at, finished_at, attempts,
                               result::text as result, error::text as error, timing::text as timing
                        from jobs where id = ? and account_id = ?
                        """)
                .params(jobId, accountId)
                .query(PostgresJobRepository::map)
                .optional();
    }

    private static JobView map(ResultSet rs, int row) throws SQLException {
        Timing timing = json(rs, "timing", Timing.class);
        return new JobView(
                rs.getObject("id", UUID.class),
                rs.getString("kind"),
                rs.getString("source"),
                JobStatus.valueOf(rs.getString("status")),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                rs.getInt("attempts"),
                json(rs, "result", ExecResult.class),
                json(rs, "error", JobError.class),
                timing == null ? null : TimingView.of(timing));
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static <T> @Nullable T json(ResultSet rs, String column, Class<T> type) throws SQLException {
        String text = rs.getString(column);
        return text == null ? null : Wire.read(text, type);
    }
}
