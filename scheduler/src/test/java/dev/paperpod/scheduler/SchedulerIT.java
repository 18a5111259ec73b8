package dev.paperpod.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.paperpod.embedded.KafkaServer;
import dev.paperpod.embedded.PostgresServer;
import dev.paperpod.scheduler.outbox.OutboxRelay;
import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobOutput;
import dev.paperpod.schemas.event.JobQueued;
import dev.paperpod.schemas.event.JobRan;
import dev.paperpod.schemas.event.JobStarted;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecResult;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.schemas.job.Language;
import dev.paperpod.schemas.job.Timing;
import dev.paperpod.schemas.job.Verdict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The scheduler against a real PostgreSQL and Kafka: the Debezium outbox relay and the projector of job events.
 */
class SchedulerIT {

    @TempDir
    static Path home;

    static PostgresServer postgres;
    static KafkaServer kafka;
    static ConfigurableApplicationContext scheduler;
    static KafkaConsumer<String, byte[]> jobs;
    static final Map<String, ConsumerRecord<String, byte[]>> relayed = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        postgres = PostgresServer.start(home.resolve("pg"), 0, "paperpod");
        kafka = KafkaServer.start(home.resolve("kafka"), 0);
        // The schema (and with it the replication slot) exists before the relay ever runs, as after an upgrade.
        Flyway.configure()
                .dataSource(postgres.jdbcUrl(), postgres.user(), postgres.password())
                .locations("classpath:db/migration")
                .load()
                .migrate();
        insertOutbox("written-before-the-relay-first-ran", "{\"n\": 0}");

        scheduler = SchedulerApplication.builder()
                .registerShutdownHook(false)
                .run(
                        "--spring.datasource.url=" + postgres.jdbcUrl(),
                        "--spring.datasource.username=" + postgres.user(),
                        "--spring.datasource.password=",
                        "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                        "--paperpod.scheduler.outbox.offset-dir=" + home.resolve("offsets"),
                        "--paperpod.scheduler.lifecycle.retry-backoff=200ms",
                        "--paperpod.scheduler.lifecycle.sweep-interval=100ms",
                        "--paperpod.scheduler.lifecycle.worker-silence=2s",
                        "--paperpod.scheduler.lifecycle.deadline-grace=1s",
                        "--paperpod.scheduler.projector.fetch-max-wait=7ms",
                        "--spring.main.banner-mode=off");
        // A worker with room, so the dispatcher hands out waiting jobs.
        execute("insert into workers values ('w-capacity', now(), '2100-01-01')");
        execute("insert into worker_capacity values ('w-capacity', 'exec', 100, 0, 100)");
        jobs = consumer("relay-it");
        jobs.subscribe(List.of(Topics.jobs(JobKind.EXEC)));
    }

    @AfterAll
    static void stop() {
        jobs.close();
        scheduler.close();
        kafka.close();
        postgres.close();
    }

    @Test
    void relaysAJobCommittedBeforeTheRelayFirstStarted() {
        ConsumerRecord<String, byte[]> record = awaitRelayed("written-before-the-relay-first-ran");

        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"n\": 0}");
        assertThat(record.headers().lastHeader(OutboxRelay.OUTBOX_ID_HEADER)).isNotNull();
    }

    @Test
    void relaysCommittedOutboxRowsKeyedByAggregateAndNeverRolledBackOnes() throws Exception {
        insertOutbox("committed-1", "{\"n\": 1}");
        try (Connection c = postgres.dataSource().getConnection()) {
            c.setAutoCommit(false);
            insertOutbox(c, "rolled-back", "{\"n\": 2}");
            c.rollback();
        }
        insertOutbox("committed-2", "{\"n\": 3}");

        assertThat(new String(awaitRelayed("committed-1").value(), StandardCharsets.UTF_8))
                .contains("\"n\": 1");
        awaitRelayed("committed-2");
        // Kafka keeps order within a partition; committed-2 went after the rolled-back row would have.
        assertThat(relayed).doesNotContainKey("rolled-back");
        assertThat(count("select count(*) from outbox"))
                .as("the outbox table stays empty")
                .isZero();
    }

    @Test
    void aGroupedRowThatIsNotAListOfJobsIsDeadLetteredAndTheRowsAfterItAreRelayed() throws Exception {
        String poison = UUID.randomUUID().toString();
        try (Connection c = postgres.dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("insert into outbox (id, aggregatetype, aggregateid, type,"
                        + " payload) values (?::uuid, 'exec', 'round', 'jobs.submitted', ?::jsonb)")) {
            s.setString(1, poison);
            s.setString(2, "[{\"key\": \"half-a-row\", \"job\": {}}, {\"job\": {}}]");
            s.executeUpdate();
            execute("delete from outbox where id = '" + poison + "'");
        }
        insertOutbox("after-the-poison", "{\"n\": 4}");

        awaitRelayed("after-the-poison");
        assertThat(relayed)
                .as("nothing of the bad row, not even its good entry")
                .doesNotContainKey("half-a-row");
        try (KafkaConsumer<String, byte[]> dlt = consumer("dlt-" + poison)) {
            dlt.subscribe(List.of(Topics.deadLetters(Topics.jobs(JobKind.EXEC))));
            ConsumerRecord<String, byte[]> dead = await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> {
                                for (ConsumerRecord<String, byte[]> r : dlt.poll(Duration.ofMillis(200))) {
                                    if (poison.equals(r.key())) {
                                        return r;
                                    }
                                }
                                return null;
                            },
                            Objects::nonNull);
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).contains("half-a-row");
            assertThat(new String(
                            dead.headers().lastHeader(OutboxRelay.ERROR_HEADER).value(), StandardCharsets.UTF_8))
                    .contains("entry 1 lacks its key or its job");
        }
    }

    @Test
    void theProjectorsConsumerTakesItsBatchSettings() {
        var registry = scheduler.getBean(org.springframework.kafka.config.KafkaListenerEndpointRegistry.class);
        var container = Objects.requireNonNull(registry.getListenerContainer("job-events"));
        Properties consumer = container.getContainerProperties().getKafkaConsumerProperties();
        assertThat(consumer.getProperty("fetch.max.wait.ms"))
                .as("as configured")
                .isEqualTo("7");
        assertThat(consumer.getProperty("fetch.min.bytes"))
                .as("the default, 64KB")
                .isEqualTo("65536");
        for (String projector : List.of("job-events", "worker-heartbeats")) {
            assertThat(Objects.requireNonNull(registry.getListenerContainer(projector))
                            .getContainerProperties()
                            .isSyncCommits())
                    .as("%s commits its offsets without waiting", projector)
                    .isFalse();
        }
    }

    @Test
    void theSchedulersConnectionsPlanEachStatementOnce() throws Exception {
        // generic plans: the dispatcher's and projector's array statements were planned afresh at every call
        try (Connection c = scheduler.getBean(javax.sql.DataSource.class).getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("show plan_cache_mode")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("force_generic_plan");
        }
    }

    @Test
    void recordsTheRelayAsRunningForHealth() {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count("select count(*) from component_heartbeats where component = 'outbox-relay'"
                                + " and state = 'RUNNING' and last_seen > now() - interval '10 seconds'")
                        == 1);
    }

    @Test
    void projectsJobEventsOnceWhateverTheirOrderAndDuplicates() throws Exception {
        UUID jobId = UUID.randomUUID();
        UUID account = account();
        Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        JobEnvelope job = new JobEnvelope(
                jobId,
                account,
                JobSource.SYNC,
                t0,
                null,
                1,
                new ExecSpec(Language.SHELL, "echo hi", 1000, Map.of(), null, Egress.NONE));
        JobQueued queued = new JobQueued(UUID.randomUUID(), jobId, t0, job);
        JobStarted started = new JobStarted(
                UUID.randomUUID(), jobId, t0.plusMillis(5), account, JobKind.EXEC, JobSource.SYNC, 1, "w-1", "sbx-1");
        JobFinished finished = new JobFinished(
                UUID.randomUUID(),
                jobId,
                t0.plusMillis(20),
                account,
                JobKind.EXEC,
                JobSource.SYNC,
                1,
                JobStatus.SUCCEEDED,
                new ExecResult("hi\n", "", 0, Verdict.OK, false, 10),
                null,
                new Timing(t0, null, t0.plusMillis(2), t0.plusMillis(5), t0.plusMillis(6), t0.plusMillis(16)));

        // The worker's events before the API's job.queued, and everything twice.
        publish(started, finished, queued, started, finished, queued);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> count("select count(*) from jobs where id = '" + jobId + "' and status = 'SUCCEEDED'"
                                + " and spec is not null")
                        == 1);
        assertThat(count("select count(*) from job_attempts where job_id = '" + jobId + "'"))
                .isEqualTo(1);
        assertThat(count("select version from jobs where id = '" + jobId + "'"))
                .as("each distinct event applied once")
                .isEqualTo(2);
        assertThat(count("select count(*) from processed_events where event_id in ('" + queued.eventId() + "','"
                        + started.eventId() + "','" + finished.eventId() + "')"))
                .isEqualTo(3);
    }

    @Test
    void aShortRunInOneRecordIsProjectedAsItsPartsOnceWithOneSave() throws Exception {
        UUID account = account();
        UUID jobId = insertAsyncJob(account, 3, 10_000);
        long version = count("select version from jobs where id = '" + jobId + "'");
        JobStarted started = started(jobId, account, 1, "w-1");
        JobOutput out = new JobOutput(UUID.randomUUID(), jobId, Instant.now(), 1, 0, JobOutput.Stream.STDOUT, "hi\n");
        JobRan ran = new JobRan(started, List.of(out), succeeded(jobId, account, 1));

        // Delivered twice, and its start once more on its own: each part counts once. The marker after them (same
        // key, so the same partition, in order) shows when all were applied.
        JobOutput marker = new JobOutput(UUID.randomUUID(), jobId, Instant.now(), 1, 1, JobOutput.Stream.STDOUT, "");
        publish(ran, ran, started, marker);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> count("select count(*) from job_output where job_id = '" + jobId + "' and seq = 1") == 1);
        assertThat(status(jobId)).isEqualTo("SUCCEEDED");
        assertThat(count("select version from jobs where id = '" + jobId + "'"))
                .as("started and finished in one save")
                .isEqualTo(version + 1);
        assertThat(count("select count(*) from job_attempts where job_id = '" + jobId + "' and attempt = 1"
                        + " and worker_id = 'w-1' and verdict = 'OK' and started_at is not null"))
                .isEqualTo(1);
        assertThat(count("select count(*) from job_output where job_id = '" + jobId + "' and data = 'hi\n'"))
                .isEqualTo(1);
    }

    @Test
    void shortRunsOfManyJobsAreProjectedTogetherAndCompleteTheirBatch() throws Exception {
        UUID account = account();
        UUID first = insertAsyncJob(account, 3, 10_000);
        UUID second = insertAsyncJob(account, 3, 10_000);
        UUID canceled = insertAsyncJob(account, 3, 10_000);
        UUID batch = UUID.randomUUID();
        execute("insert into batches (id, account_id, total, created_at) values ('" + batch + "', '" + account
                + "', 2, now())");
        execute("update jobs set batch_id = '" + batch + "' where id in ('" + first + "', '" + second + "')");
        execute("update jobs set status = 'CANCELED', finished_at = now() where id = '" + canceled + "'");
        UUID sync = UUID.randomUUID(); // a sync job's row is written by its events
        long version = count("select version from jobs where id = '" + first + "'");
        JobRan firstRan = ran(first, account, "one\n");
        JobStarted syncStart = new JobStarted(
                UUID.randomUUID(), sync, Instant.now(), account, JobKind.EXEC, JobSource.SYNC, 1, "w-1", "s");
        JobFinished syncEnd = new JobFinished(
                UUID.randomUUID(),
                sync,
                Instant.now(),
                account,
                JobKind.EXEC,
                JobSource.SYNC,
                1,
                JobStatus.SUCCEEDED,
                new ExecResult("", "", 0, Verdict.OK, false, 3),
                null,
                null);

        publish(
                firstRan,
                ran(second, account, "two\n"),
                ran(canceled, account, "late\n"),
                new JobRan(syncStart, List.of(), syncEnd));
        // delivered again, alone; the marker after it (same key, so same partition, in order) shows it was applied
        publish(firstRan, new JobOutput(UUID.randomUUID(), first, Instant.now(), 1, 1, JobOutput.Stream.STDOUT, ""));

        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        count("select count(*) from batches where id = '" + batch + "' and completed_at is not null")
                                == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> status(sync).equals("SUCCEEDED"));
        assertThat(status(first)).isEqualTo("SUCCEEDED");
        assertThat(status(second)).isEqualTo("SUCCEEDED");
        assertThat(status(canceled)).as("an ended job stays as it ended").isEqualTo("CANCELED");
        assertThat(count("select count(*) from job_output where seq = 0 and job_id in ('" + first + "', '" + second
                        + "', '" + canceled + "')"))
                .isEqualTo(3);
        assertThat(count("select count(*) from job_attempts where job_id in ('" + first + "', '" + second + "', '"
                        + sync + "') and verdict = 'OK' and worker_id = 'w-1'"))
                .isEqualTo(3);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count("select count(*) from job_output where job_id = '" + first + "' and seq = 1") == 1);
        assertThat(count("select version from jobs where id = '" + first + "'"))
                .as("the copy of the first run changed nothing")
                .isEqualTo(version + 1);
    }

    private static JobRan ran(UUID jobId, UUID account, String output) {
        return new JobRan(
                started(jobId, account, 1, "w-1"),
                List.of(new JobOutput(UUID.randomUUID(), jobId, Instant.now(), 1, 0, JobOutput.Stream.STDOUT, output)),
                succeeded(jobId, account, 1));
    }

    @Test
    void aLateStartedEventDoesNotReopenAFinishedJob() throws Exception {
        UUID jobId = UUID.randomUUID();
        UUID account = account();
        Instant t0 = Instant.now();
        JobFinished finished = new JobFinished(
                UUID.randomUUID(),
                jobId,
                t0.plusMillis(20),
                account,
                JobKind.EXEC,
                JobSource.ASYNC,
                1,
                JobStatus.TIMED_OUT,
                new ExecResult("", "", null, Verdict.TIMEOUT, false, 1000),
                null,
                null);
        JobStarted lateStart =
                new JobStarted(UUID.randomUUID(), jobId, t0, account, JobKind.EXEC, JobSource.ASYNC, 1, "w-1", "sbx-1");

        publish(finished, lateStart);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> count("select count(*) from job_attempts where job_id = '" + jobId + "'") == 1);
        assertThat(count("select count(*) from jobs where id = '" + jobId + "' and status = 'TIMED_OUT'"))
                .isEqualTo(1);
    }

    @Test
    void anInfrastructureFaultRetriesAsTheNextAttemptAndStaleEventsAreIgnored() throws Exception {
        UUID account = account();
        UUID jobId = insertAsyncJob(account, 3, 10_000);
        publish(started(jobId, account, 1, "w-1"), failedRetryable(jobId, account, 1, "SANDBOX_LOST"));

        JobEnvelope second = Wire.read(awaitDispatched(jobId).value(), JobEnvelope.class);
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(second.spec()).isEqualTo(spec(10_000));
        assertThat(status(jobId)).isEqualTo("QUEUED");

        // Attempt 1's worker was only slow: its late end changes nothing; attempt 2's end counts.
        publish(succeeded(jobId, account, 1));
        publish(started(jobId, account, 2, "w-2"), succeeded(jobId, account, 2));
        await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(status(jobId)));
        assertThat(count("select attempts from jobs where id = '" + jobId + "'"))
                .isEqualTo(2);
        assertThat(count("select count(*) from job_attempts where job_id = '" + jobId + "' and attempt = 1"
                        + " and verdict = 'FAILED' and error->>'code' = 'SANDBOX_LOST'"))
                .isEqualTo(1);
        assertThat(count("select count(*) from job_attempts where job_id = '" + jobId + "' and attempt = 2"
                        + " and verdict = 'OK' and worker_id = 'w-2'"))
                .isEqualTo(1);
    }

    @Test
    void waitingJobsAreDispatchedThroughTheOutboxAndDelayedOnesNotBeforeTheirTime() throws Exception {
        UUID account = account();
        UUID now = UUID.randomUUID();
        UUID delayed = UUID.randomUUID();
        Instant runAt = Instant.now().plusSeconds(2);
        try (Connection c = postgres.dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("""
                        insert into jobs (id, account_id, kind, source, status, spec, attempts, max_attempts, created_at,
                                          run_at)
                        values (?, ?, 'exec', 'async', 'QUEUED', ?::jsonb, 1, 3, now(), ?)
                        """)) {
            for (UUID id : List.of(now, delayed)) {
                s.setObject(1, id);
                s.setObject(2, account);
                s.setString(3, Wire.writeString(spec(1000)));
                s.setTimestamp(4, id == delayed ? java.sql.Timestamp.from(runAt) : null);
                s.executeUpdate();
            }
        }
        count("select count(*) from (select pg_notify('paperpod_job_waiting', '')) n");

        ConsumerRecord<String, byte[]> firstRecord = awaitDispatched(now);
        JobEnvelope first = Wire.read(firstRecord.value(), JobEnvelope.class);
        assertThat((long) firstRecord.partition())
                .as("the partition the dispatcher chose")
                .isEqualTo(count("select dispatch_partition from jobs where id = '" + now + "'"));
        assertThat(first.attempt()).isEqualTo(1);
        assertThat(first.source()).isEqualTo(JobSource.ASYNC);
        ConsumerRecord<String, byte[]> second = awaitDispatched(delayed);
        assertThat(Instant.ofEpochMilli(second.timestamp()))
                .isAfterOrEqualTo(runAt.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(count("select count(*) from jobs where id in ('" + now + "', '" + delayed
                        + "') and dispatched_at is not null"))
                .isEqualTo(2);
    }

    @Test
    void aRoundsJobsLeaveInOneOutboxRowAndArriveAsARecordEachOnItsPartition() throws Exception {
        UUID account = account();
        List<UUID> ids = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        try (Connection c = postgres.dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("""
                        insert into jobs (id, account_id, kind, source, status, spec, attempts, max_attempts, created_at)
                        values (?, ?, 'exec', 'async', 'QUEUED', ?::jsonb, 1, 3, now())
                        """)) {
            c.setAutoCommit(false); // waiting together, so dispatched in one round
            for (UUID id : ids) {
                s.setObject(1, id);
                s.setObject(2, account);
                s.setString(3, Wire.writeString(spec(1000)));
                s.executeUpdate();
            }
            c.createStatement().execute("select pg_notify('paperpod_job_waiting', '')");
            c.commit();
        }

        Set<String> rows = new HashSet<>();
        Set<Integer> partitions = new HashSet<>();
        for (UUID id : ids) {
            ConsumerRecord<String, byte[]> record = awaitDispatched(id);
            assertThat(Wire.read(record.value(), JobEnvelope.class).jobId()).isEqualTo(id);
            assertThat((long) record.partition())
                    .as("the partition the dispatcher chose")
                    .isEqualTo(count("select dispatch_partition from jobs where id = '" + id + "'"));
            partitions.add(record.partition());
            String outboxId = new String(
                    record.headers().lastHeader(OutboxRelay.OUTBOX_ID_HEADER).value(), StandardCharsets.UTF_8);
            assertThat(outboxId).as("row id / place in the row").matches("[0-9a-f-]{36}/[0-2]");
            rows.add(outboxId.substring(0, 36));
        }
        assertThat(rows).as("one outbox row for the round").hasSize(1);
        assertThat(partitions).as("each on a partition of its own").hasSize(3);
        assertThat(count("select count(*) from outbox where id = '"
                        + rows.iterator().next() + "'"))
                .as("deleted in the transaction that inserted it")
                .isZero();
    }

    @Test
    void anInfrastructureFaultOnTheLastAttemptFailsTheJob() throws Exception {
        UUID account = account();
        UUID jobId = insertAsyncJob(account, 1, 10_000);
        publish(started(jobId, account, 1, "w-1"), failedRetryable(jobId, account, 1, "SANDBOX_LOST"));

        await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(status(jobId)));
        assertThat(count("select count(*) from jobs where id = '" + jobId + "' and error->>'code' = 'SANDBOX_LOST'"))
                .isEqualTo(1);
    }

    @Test
    void aRunningJobWhoseWorkerWentSilentIsRetried() throws Exception {
        UUID account = account();
        UUID jobId = insertAsyncJob(account, 2, 10_000);
        publish(started(jobId, account, 1, "w-silent-" + jobId));

        JobEnvelope second = Wire.read(awaitDispatched(jobId).value(), JobEnvelope.class);
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(count("select count(*) from job_attempts where job_id = '" + jobId + "' and attempt = 1"
                        + " and verdict = 'LOST' and error->>'code' = 'WORKER_LOST'"))
                .isEqualTo(1);
    }

    @Test
    void aRunningJobFarPastItsTimeoutEndsTimedOut() throws Exception {
        UUID account = account();
        UUID jobId = insertAsyncJob(account, 3, 200);
        String worker = "w-alive-" + jobId;
        execute("insert into workers values ('" + worker + "', now(), '2100-01-01')");
        execute("insert into worker_capacity values ('" + worker + "', 'exec', 1, 1, 1)");
        publish(started(jobId, account, 1, worker));

        await().atMost(Duration.ofSeconds(30)).until(() -> "TIMED_OUT".equals(status(jobId)));
        assertThat(count("select count(*) from jobs where id = '" + jobId
                        + "' and error->>'code' = 'DEADLINE_EXCEEDED' and attempts = 1"))
                .isEqualTo(1);
    }

    @Test
    void aMalformedEventIsDeadLetteredAndTheTopicKeepsFlowing() throws Exception {
        UUID account = account();
        UUID jobId = insertAsyncJob(account, 1, 10_000);
        byte[] garbage = ("{\"type\":\"job.finished\",\"jobId\":\"" + jobId + "\"").getBytes(StandardCharsets.UTF_8);
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.JOB_EVENTS, jobId.toString(), garbage))
                    .get();
        }
        publish(started(jobId, account, 1, "w-1"), succeeded(jobId, account, 1));

        await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(status(jobId)));
        try (KafkaConsumer<String, byte[]> dlt = consumer("dlt-" + jobId)) {
            dlt.subscribe(List.of(Topics.deadLetters(Topics.JOB_EVENTS)));
            ConsumerRecord<String, byte[]> dead = await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> {
                                for (ConsumerRecord<String, byte[]> r : dlt.poll(Duration.ofMillis(200))) {
                                    if (jobId.toString().equals(r.key())) {
                                        return r;
                                    }
                                }
                                return null;
                            },
                            r -> r != null);
            assertThat(dead.value()).isEqualTo(garbage);
            assertThat(dead.headers().lastHeader("kafka_dlt-exception-message")).isNotNull();
        }
    }

    private static ExecSpec spec(long timeoutMs) {
        return new ExecSpec(Language.SHELL, "echo hi", timeoutMs, Map.of(), null, Egress.NONE);
    }

    /** An async job already dispatched (the test plays the first relay and the worker). */
    private static UUID insertAsyncJob(UUID account, int maxAttempts, long timeoutMs) throws Exception {
        UUID jobId = UUID.randomUUID();
        try (Connection c = postgres.dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("""
                        insert into jobs (id, account_id, kind, source, status, spec, attempts, max_attempts, created_at,
                                          dispatched_at)
                        values (?, ?, 'exec', 'async', 'QUEUED', ?::jsonb, 1, ?, now(), now())
                        """)) {
            s.setObject(1, jobId);
            s.setObject(2, account);
            s.setString(3, Wire.writeString(spec(timeoutMs)));
            s.setInt(4, maxAttempts);
            s.executeUpdate();
        }
        return jobId;
    }

    private static JobStarted started(UUID jobId, UUID account, int attempt, String worker) {
        return new JobStarted(
                UUID.randomUUID(),
                jobId,
                Instant.now(),
                account,
                JobKind.EXEC,
                JobSource.ASYNC,
                attempt,
                worker,
                "sbx-" + attempt);
    }

    private static JobFinished failedRetryable(UUID jobId, UUID account, int attempt, String code) {
        return new JobFinished(
                UUID.randomUUID(),
                jobId,
                Instant.now(),
                account,
                JobKind.EXEC,
                JobSource.ASYNC,
                attempt,
                JobStatus.FAILED,
                null,
                new dev.paperpod.schemas.job.JobError(code, "the sandbox stopped answering", true),
                null);
    }

    private static JobFinished succeeded(UUID jobId, UUID account, int attempt) {
        return new JobFinished(
                UUID.randomUUID(),
                jobId,
                Instant.now(),
                account,
                JobKind.EXEC,
                JobSource.ASYNC,
                attempt,
                JobStatus.SUCCEEDED,
                new ExecResult("hi\n", "", 0, Verdict.OK, false, 10),
                null,
                null);
    }

    private static String status(UUID jobId) throws Exception {
        try (Connection c = postgres.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select status from jobs where id = '" + jobId + "'")) {
            return rs.next() ? rs.getString(1) : "ABSENT";
        }
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = postgres.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    /**
     * The record of a job the dispatcher put on the job topic. Its key picks the partition, so records are found by
     * the job id inside.
     */
    private static ConsumerRecord<String, byte[]> awaitDispatched(UUID jobId) {
        return awaitRelayed("job:" + jobId);
    }

    private static ConsumerRecord<String, byte[]> awaitRelayed(String key) {
        return await().atMost(Duration.ofSeconds(60))
                .until(
                        () -> {
                            for (ConsumerRecord<String, byte[]> r : jobs.poll(Duration.ofMillis(200))) {
                                relayed.put(r.key(), r);
                                try {
                                    relayed.put(
                                            "job:"
                                                    + Wire.read(r.value(), JobEnvelope.class)
                                                            .jobId(),
                                            r);
                                } catch (RuntimeException notAJob) {
                                    // the outbox tests relay payloads of their own
                                }
                            }
                            return relayed.get(key);
                        },
                        r -> r != null);
    }

    private static void publish(Object... events) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (Object event : events) {
                String key =
                        ((dev.paperpod.schemas.event.JobEvent) event).jobId().toString();
                producer.send(new ProducerRecord<>(Topics.JOB_EVENTS, key, Wire.write(event)))
                        .get();
            }
        }
    }

    private static UUID account() throws Exception {
        UUID id = UUID.randomUUID();
        try (Connection c = postgres.dataSource().getConnection();
                PreparedStatement s = c.prepareStatement("insert into accounts (id, name) values (?, ?)")) {
            s.setObject(1, id);
            s.setString(2, "account-" + id);
            s.executeUpdate();
        }
        return id;
    }

    private static void insertOutbox(String key, String payload) throws Exception {
        try (Connection c = postgres.dataSource().getConnection()) {
            insertOutbox(c, key, payload);
        }
    }

    /** As the API writes it: the insert is what gets relayed, the delete keeps the table empty. */
    private static void insertOutbox(Connection c, String key, String payload) throws Exception {
        UUID id = UUID.randomUUID();
        try (PreparedStatement s = c.prepareStatement(
                "insert into outbox (id, aggregatetype, aggregateid, type, payload) values (?, 'exec', ?, 'test', ?::jsonb)")) {
            s.setObject(1, id);
            s.setString(2, key);
            s.setString(3, payload);
            s.executeUpdate();
        }
        try (Statement s = c.createStatement()) {
            s.executeUpdate("delete from outbox where id = '" + id + "'");
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection c = postgres.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(String group) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
