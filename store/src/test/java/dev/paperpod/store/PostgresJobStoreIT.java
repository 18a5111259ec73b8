package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.embedded.PostgresServer;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.JobError;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Verdict;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * {@link JobStoreContract} on PostgreSQL, and what only this adapter does: a save's webhook deliveries, batch
 * completion and notifications inside its one statement, statistics refreshed after a large batch.
 */
class PostgresJobStoreIT extends JobStoreContract {

    static final PostgresServer postgres = PostgresStores.server();
    static final javax.sql.DataSource dataSource = PostgresStores.DATA_SOURCE;
    static final JdbcClient jdbc = PostgresStores.JDBC;

    @Override
    protected Stores stores() {
        return PostgresStores.STORES;
    }

    @Test
    void aLargeBatchRefreshesTheStatisticsItsQueueIsPlannedWith() {
        UUID account = UUID.randomUUID();
        jdbc.sql("insert into accounts (id, name) values (?, 'a')")
                .param(account)
                .update();
        UUID small = UUID.randomUUID();
        UUID large = UUID.randomUUID();
        for (UUID batch : List.of(small, large)) {
            jdbc.sql("insert into batches (id, account_id, total, created_at) values (?, ?, 1, now())")
                    .params(batch, account)
                    .update();
        }
        var tx = new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.support.JdbcTransactionManager(dataSource));

        // inside the transaction: only its own analyze can have counted rows no one else sees yet
        tx.executeWithoutResult(s -> {
            float before = reltuples();
            store.insertBatch(
                    java.util.stream.Stream.generate(() -> Stores.queuedJob(account))
                            .limit(PostgresJobStore.ANALYZED_BATCH - 1)
                            .toList(),
                    small);
            assertThat(reltuples())
                    .as("a smaller batch leaves it to autovacuum")
                    .isEqualTo(before);
            store.insertBatch(
                    java.util.stream.Stream.generate(() -> Stores.queuedJob(account))
                            .limit(PostgresJobStore.ANALYZED_BATCH)
                            .toList(),
                    large);
            assertThat(reltuples()).isGreaterThanOrEqualTo(2 * PostgresJobStore.ANALYZED_BATCH - 1);
            s.setRollbackOnly();
        });
    }

    private static float reltuples() {
        return jdbc.sql("select reltuples from pg_class where relname = 'jobs'")
                .query(Float.class)
                .single();
    }

    @Test
    void aTransactionsNotificationsRideInTheStatementsThatCauseThemAndGoOutEachOnceAtCommit() throws Exception {
        List<String> statements = new java.util.concurrent.CopyOnWriteArrayList<>();
        javax.sql.DataSource counting = recordingStatements(postgres.dataSource(), statements::add);
        JobStore counted = new PostgresJobStore(JdbcClient.create(counting), java.time.Clock.systemUTC());
        var tx = new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.support.JdbcTransactionManager(counting));
        JobRecord a = stores.insertQueued();
        JobRecord b = stores.insertQueued();
        JobRecord c = stores.insertQueued();
        try (java.sql.Connection listener = postgres.dataSource().getConnection()) {
            listener.createStatement().execute("LISTEN " + JobStore.ACTIVITY_CHANNEL);
            var pg = listener.unwrap(org.postgresql.PGConnection.class);

            // The projector's way: a batch's output, then its saves, in one transaction.
            tx.executeWithoutResult(status -> {
                counted.outputs(List.of(new JobStore.Output(a.id(), 1, 0, "stdout", "hi", Stores.now())));
                counted.saveAll(List.of(a.started(1, "w-1", Stores.now()), b.started(1, "w-1", Stores.now())));
                assertThat(statements).hasSize(2); // no statement of their own
            });
            assertThat(statements).hasSize(2);
            assertThat(received(pg)).containsExactly(a.id().toString(), b.id().toString());

            tx.executeWithoutResult(status -> {
                counted.saveAll(List.of(c.started(1, "w-1", Stores.now())));
                status.setRollbackOnly();
            });
            counted.save(
                    store.find(a.id()).orElseThrow().ended(JobStatus.SUCCEEDED, null, null, null, null, Stores.now()));
            // Outside a transaction at once; the rolled-back save notified nothing (delivery is in commit order).
            assertThat(received(pg)).containsExactly(a.id().toString());
        }
    }

    @Test
    void aSaveEndingJobsDeliversTheirWebhooksAndCompletesTheirBatchOnlyForTheJobsItWrote() throws Exception {
        UUID account = UUID.randomUUID();
        UUID batch = UUID.randomUUID();
        jdbc.sql("insert into accounts (id, name) values (?, 'a')")
                .param(account)
                .update();
        jdbc.sql("insert into batches (id, account_id, total, created_at) values (?, ?, 2, now())")
                .params(batch, account)
                .update();
        jdbc.sql("""
                        insert into webhook_endpoints (id, account_id, url, secret, created_at)
                        values (?, ?, 'https://example.com/hook', 'whsec_x', now())
                        """).params(UUID.randomUUID(), account).update();
        List<JobRecord> jobs = List.of(Stores.queuedJob(account), Stores.queuedJob(account), Stores.queuedJob(account));
        store.insertBatch(jobs, batch);
        JobRecord a = store.save(store.find(jobs.get(0).id()).orElseThrow().started(1, "w-1", Stores.now()));
        JobRecord b = store.save(store.find(jobs.get(1).id()).orElseThrow().started(1, "w-1", Stores.now()));
        JobRecord c = store.save(store.find(jobs.get(2).id()).orElseThrow().started(1, "w-1", Stores.now()));
        store.save(c.ended(JobStatus.FAILED, null, null, null, null, Stores.now())); // c moved on: b's save below loses
        Instant end = Stores.now();

        try (java.sql.Connection listener = postgres.dataSource().getConnection()) {
            listener.createStatement().execute("LISTEN " + WebhookEvents.CHANNEL);
            var pg = listener.unwrap(org.postgresql.PGConnection.class);

            List<JobRecord> lost = store.saveAll(List.of(
                    a.ended(
                            JobStatus.SUCCEEDED,
                            new ExecResult("hi\n", "", 0, Verdict.OK, false, 3, 2L, null),
                            null,
                            null,
                            null,
                            end),
                    b.retrying(new JobError("E", "again", true), end.plusSeconds(1)),
                    c.ended(JobStatus.SUCCEEDED, null, null, null, null, end)));

            assertThat(lost).extracting(JobRecord::id).containsExactly(c.id());
            assertThat(deliveries(account))
                    .as("c's end as saved before, not as lost now")
                    .containsExactlyInAnyOrder("job.failed:" + c.id(), "job.succeeded:" + a.id());
            assertThat(completedAt(batch)).as("b is still to end").isNull();
            assertThat(received(pg)).containsExactly("");

            store.save(store.find(b.id()).orElseThrow().requeued().started(2, "w-1", end));
            store.saveAll(List.of(store.find(b.id())
                    .orElseThrow()
                    .ended(JobStatus.FAILED, null, new JobError("E", "no", false), null, null, end)));

            assertThat(completedAt(batch)).isEqualTo(end);
            assertThat(deliveries(account))
                    .containsExactlyInAnyOrder(
                            "job.failed:" + c.id(),
                            "job.succeeded:" + a.id(),
                            "job.failed:" + b.id(),
                            "batch.completed:" + batch);
            for (UUID job : List.of(a.id(), b.id())) {
                assertThat(payload(job)).as("the payload the API would write").isEqualTo(expectedPayload(job));
            }
        }
    }

    /** A job's end as a webhook endpoint receives it, as the API writes JSON. */
    private String expectedPayload(UUID id) {
        JobRecord job = store.find(id).orElseThrow();
        Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("id", job.id());
        data.put("kind", job.kind());
        data.put("status", job.status());
        data.put("attempts", job.attempt());
        data.put("createdAt", job.createdAt());
        data.put("startedAt", job.startedAt());
        data.put("finishedAt", job.finishedAt());
        // as the API's JobView declares it: a JobResult, written with its type
        data.put(
                "result",
                job.result() == null
                        ? null
                        : dev.paperpod.schemas.Wire.mapper()
                                .readTree(dev.paperpod.schemas.Wire.mapper()
                                        .writerFor(dev.paperpod.schemas.job.JobResult.class)
                                        .writeValueAsString(job.result())));
        data.put("error", job.error());
        data.values().removeIf(java.util.Objects::isNull);
        Map<String, Object> payload = new java.util.LinkedHashMap<>();
        payload.put("type", "job." + job.status().name().toLowerCase(java.util.Locale.ROOT));
        payload.put("timestamp", job.finishedAt());
        payload.put("data", data);
        return jdbc.sql("select ?::jsonb::text")
                .param(dev.paperpod.schemas.Wire.writeString(payload))
                .query(String.class)
                .single();
    }

    private static String payload(UUID job) {
        return jdbc.sql("select payload::text from webhook_deliveries where event_key like '%:' || ?")
                .param(job.toString())
                .query(String.class)
                .single();
    }

    private static List<String> deliveries(UUID account) {
        return jdbc.sql("""
                        select d.event_key from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
                        where e.account_id = ?
                        """).param(account).query(String.class).list();
    }

    private static @org.jspecify.annotations.Nullable Instant completedAt(UUID batch) {
        return jdbc.sql("select completed_at from batches where id = ?")
                .param(batch)
                .query((rs, row) -> PostgresJobStore.instant(rs, "completed_at"))
                .list()
                .get(0);
    }

    /** The payloads of the next notifications delivered together (one commit's), waiting up to 10 s for them. */
    private static List<String> received(org.postgresql.PGConnection pg) throws java.sql.SQLException {
        org.postgresql.PGNotification[] batch = pg.getNotifications(10_000);
        assertThat(batch).as("notifications within 10 s").isNotNull().isNotEmpty();
        return java.util.Arrays.stream(batch)
                .map(org.postgresql.PGNotification::getParameter)
                .toList();
    }

    /** The data source, telling {@code onPrepare} the SQL of every statement prepared through it. */
    private static javax.sql.DataSource recordingStatements(
            javax.sql.DataSource target, java.util.function.Consumer<String> onPrepare) {
        return new org.springframework.jdbc.datasource.DelegatingDataSource(target) {
            @Override
            public java.sql.Connection getConnection() throws java.sql.SQLException {
                java.sql.Connection connection = super.getConnection();
                return (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(), new Class<?>[] {java.sql.Connection.class}, (proxy, m, args) -> {
                            if (m.getName().equals("prepareStatement") && args != null && args[0] instanceof String s) {
                                onPrepare.accept(s);
                            }
                            try {
                                return m.invoke(connection, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        };
    }
}
