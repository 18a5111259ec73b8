package dev.paperpod.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** {@link BrowserSessionStore} on the {@code browser_sessions} table. */
public final class PostgresBrowserSessionStore implements BrowserSessionStore {

    private static final String OPEN =
            "ended_at is null and last_used_at + idle_timeout_ms * interval '1 millisecond' > ?";

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    public PostgresBrowserSessionStore(JdbcClient jdbc, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /**
     * The account's advisory lock first (held to the end of the transaction), then the count and the insert in a
     * statement of their own: under read committed it sees every session another call opened while this one waited.
     */
    @Override
    public boolean open(Session s, int max, Instant now) {
        Integer inserted = tx.execute(status -> {
            jdbc.sql("select pg_advisory_xact_lock(hashtextextended('browser_sessions:' || ?, 0))")
                    .param(s.accountId().toString())
                    .query((rs, n) -> 1)
                    .list();
            return jdbc.sql("""
                            insert into browser_sessions
                                (session_id, account_id, worker_id, idle_timeout_ms, created_at, last_used_at)
                            select ?, ?, ?, ?, ?, ?
                            where (select count(*) from browser_sessions where account_id = ?\s""" + "and " + OPEN + ") < ?")
                    .params(
                            s.sessionId(),
                            s.accountId(),
                            s.workerId(),
                            s.idleTimeout().toMillis(),
                            Timestamp.from(s.createdAt()),
                            Timestamp.from(s.lastUsedAt()),
                            s.accountId(),
                            Timestamp.from(now),
                            max)
                    .update();
        });
        return inserted != null && inserted > 0;
    }

    @Override
    public Optional<Session> find(UUID accountId, String sessionId, Instant now) {
        return jdbc.sql("select * from browser_sessions where session_id = ? and account_id = ? and " + OPEN)
                .params(sessionId, accountId, Timestamp.from(now))
                .query(PostgresBrowserSessionStore::session)
                .optional();
    }

    @Override
    public List<Session> open(UUID accountId, Instant now) {
        return jdbc.sql("select * from browser_sessions where account_id = ? and " + OPEN + " order by created_at")
                .params(accountId, Timestamp.from(now))
                .query(PostgresBrowserSessionStore::session)
                .list();
    }

    @Override
    public void opened(String sessionId, Instant at) {
        jdbc.sql(
                        "update browser_sessions set opened_at = ?, last_used_at = greatest(last_used_at, ?) where session_id = ?")
                .params(Timestamp.from(at), Timestamp.from(at), sessionId)
                .update();
    }

    @Override
    public void used(String sessionId, Instant at) {
        jdbc.sql("update browser_sessions set last_used_at = greatest(last_used_at, ?) where session_id = ?")
                .params(Timestamp.from(at), sessionId)
                .update();
    }

    @Override
    public Optional<Session> end(UUID accountId, String sessionId, Instant at) {
        return jdbc.sql("update browser_sessions set ended_at = ? where session_id = ? and account_id = ? and " + OPEN
                        + " returning *")
                .params(Timestamp.from(at), sessionId, accountId, Timestamp.from(at))
                .query(PostgresBrowserSessionStore::session)
                .optional();
    }

    @Override
    public Map<String, Integer> openPerWorker(List<String> workerIds, Instant now) {
        Map<String, Integer> counts = new HashMap<>();
        if (workerIds.isEmpty()) {
            return counts;
        }
        jdbc.sql("select worker_id, count(*) as n from browser_sessions where worker_id = any (?) and " + OPEN
                        + " group by worker_id")
                .params(workerIds.toArray(String[]::new), Timestamp.from(now))
                .query((rs, n) -> Map.entry(rs.getString("worker_id"), rs.getInt("n")))
                .list()
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        return counts;
    }

    private static Session session(ResultSet rs, int row) throws SQLException {
        return new Session(
                rs.getString("session_id"),
                rs.getObject("account_id", UUID.class),
                rs.getString("worker_id"),
                Duration.ofMillis(rs.getLong("idle_timeout_ms")),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("last_used_at").toInstant(),
                instant(rs.getTimestamp("opened_at")),
                instant(rs.getTimestamp("ended_at")));
    }

    private static @Nullable Instant instant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
