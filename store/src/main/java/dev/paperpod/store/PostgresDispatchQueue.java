package dev.paperpod.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link DispatchQueue} on the {@code jobs} table. */
public final class PostgresDispatchQueue implements DispatchQueue {

    /** Held by the dispatching transaction: several schedulers never hand out the same slots twice. */
    private static final long DISPATCH_LOCK = 0x7061_7065_7270_6f64L; // "paperpod"

    /** Due waiting jobs with their turn within their account, the order the dispatcher hands them out in. */
    private static final String RANKED = """
            select j.id, j.account_id, j.priority, j.created_at,
                   row_number() over (partition by j.account_id order by j.priority, j.created_at) as turn
            from jobs j
            where j.status = 'QUEUED' and j.dispatched_at is null and (j.run_at is null or j.run_at <= ?)
            """;

    /**
     * The next jobs to dispatch, in the order of {@link #RANKED} (priority, turn within the account, age), each
     * account within its room. Reads no more than it needs, whatever the backlog: the accounts with waiting jobs are
     * found by skipping through {@code jobs_waiting_account} (one index probe per account), and each account's
     * first {@code min(room, slots)} due jobs come from the same index in order — a job further back in an account
     * has at least {@code slots} jobs before it in the overall order. Parameters: the default concurrency, slots,
     * now, slots.
     */
    private static final String NEXT = """
            with recursive waiting_accounts(account_id) as (
                (select account_id from jobs where status = 'QUEUED' and dispatched_at is null
                 order by account_id limit 1)
                union all
                select (select j.account_id from jobs j
                        where j.status = 'QUEUED' and j.dispatched_at is null and j.account_id > w.account_id
                        order by j.account_id limit 1)
                from waiting_accounts w where w.account_id is not null
            ), busy as (
                select account_id, count(*) as n from jobs
                where status = 'RUNNING' or (status = 'QUEUED' and dispatched_at is not null)
                group by account_id
            ), room as (
                select w.account_id, least(coalesce(a.max_concurrency, ?) - coalesce(b.n, 0), ?) as n
                from waiting_accounts w
                left join busy b on b.account_id = w.account_id
                left join accounts a on a.id = w.account_id
                where w.account_id is not null
            ), candidates as (
                select c.id, c.priority, c.created_at,
                       row_number() over (partition by r.account_id order by c.priority, c.created_at) as turn
                from room r
                cross join lateral (
                    select j.id, j.priority, j.created_at from jobs j
                    where j.account_id = r.account_id and j.status = 'QUEUED' and j.dispatched_at is null
                      and (j.run_at is null or j.run_at <= ?)
                    order by j.priority, j.created_at
                    limit greatest(r.n, 0)
                ) c
            )
            select id from candidates order by priority, turn, created_at limit ?
            """;

    private final JdbcClient jdbc;

    public PostgresDispatchQueue(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void announceWaiting() {
        jdbc.sql("select pg_notify(?, '')").param(WAITING_CHANNEL).query().listOfRows();
    }

    @Override
    public List<Dispatched> takeNext(List<Integer> partitions, int defaultConcurrency, Instant now) {
        int slots = partitions.size();
        if (slots == 0) {
            return List.of();
        }
        List<UUID> ids = jdbc.sql(NEXT)
                .params(defaultConcurrency, slots, Timestamp.from(now), slots)
                .query(UUID.class)
                .list();
        if (ids.isEmpty()) {
            return List.of();
        }
        // A statement of its own, the jobs given as an array: joined with the query above, the update was planned,
        // with the statistics of a queue that had just grown by thousands, as a hash join over every waiting job
        // (12-17 ms a round, EXPLAIN ANALYZE during a run) instead of a look-up by key. The i-th job goes to the
        // i-th partition; a job taken meanwhile (status or dispatched_at changed) is left out, and the answer comes
        // back in the dispatch order.
        return jdbc
                .sql("update jobs set dispatched_at = ?, dispatch_partition = u.slot, version = version + 1,"
                        + " updated_at = now()"
                        + " from unnest(?::uuid[], ?::int[]) with ordinality as u(job_id, slot, turn)"
                        + " where jobs.id = any(?::uuid[]) and jobs.id = u.job_id"
                        + " and jobs.status = 'QUEUED' and jobs.dispatched_at is null"
                        + " returning u.turn, u.slot, " + PostgresJobStore.COLUMNS)
                .params(
                        Timestamp.from(now),
                        ids.toArray(UUID[]::new),
                        partitions.subList(0, ids.size()).toArray(Integer[]::new),
                        ids.toArray(UUID[]::new))
                .query((rs, row) -> new Object[] {
                    rs.getLong("turn"), new Dispatched(PostgresJobStore.map(rs, row), rs.getInt("slot"))
                })
                .list()
                .stream()
                .sorted(Comparator.comparingLong(r -> (Long) r[0]))
                .map(r -> (Dispatched) r[1])
                .toList();
    }

    @Override
    public Room room(Instant since) {
        Map<Integer, Integer> byPartition = new HashMap<>();
        int[] total = {0};
        int[] sandboxes = {0};
        boolean[] locked = {false};
        // one row per partition with jobs in flight (a null partition: sync jobs), or one row of nulls
        jdbc.sql("""
                        select c.locked, c.sandboxes, f.dispatch_partition, f.n
                        from (select pg_try_advisory_xact_lock(?) as locked,
                                     (select coalesce(sum(max_sandboxes), 0) from workers where last_seen >= ?)
                                         as sandboxes) c
                        left join (select dispatch_partition, count(*) as n from jobs
                                   where status = 'RUNNING' or (status = 'QUEUED' and dispatched_at is not null)
                                   group by dispatch_partition) f on true
                        """).params(DISPATCH_LOCK, Timestamp.from(since)).query(rs -> {
            locked[0] = rs.getBoolean(1);
            sandboxes[0] = rs.getInt(2);
            int n = rs.getInt(4);
            int partition = rs.getInt(3);
            if (!rs.wasNull()) {
                byPartition.put(partition, n);
            }
            total[0] += n;
        });
        return new Room(locked[0], sandboxes[0], new InFlight(total[0], byPartition));
    }

    @Override
    public OptionalLong position(UUID jobId, Instant now) {
        return jdbc.sql("with ranked as (" + RANKED + """
                        ), ordered as (
                            select id, row_number() over (order by priority, turn, created_at) - 1 as ahead from ranked
                        )
                        select ahead from ordered where id = ?
                        """)
                .params(Timestamp.from(now), jobId)
                .query(Long.class)
                .optional()
                .map(OptionalLong::of)
                .orElse(OptionalLong.empty());
    }

    @Override
    public long waiting(UUID accountId, long atMost) {
        return jdbc.sql("""
                        select count(*) from (
                            select 1 from jobs where account_id = ? and status = 'QUEUED' and dispatched_at is null
                            limit ?
                        ) w""").params(accountId, atMost).query(Long.class).single();
    }

    @Override
    public OptionalLong maxQueued(UUID accountId) {
        return jdbc.sql("select max_queued from accounts where id = ? and max_queued is not null")
                .param(accountId)
                .query(Long.class)
                .optional()
                .map(OptionalLong::of)
                .orElse(OptionalLong.empty());
    }

    @Override
    public long endedSince(Instant since) {
        return jdbc.sql("select count(*) from jobs where finished_at >= ?")
                .param(Timestamp.from(since))
                .query(Long.class)
                .single();
    }
}
