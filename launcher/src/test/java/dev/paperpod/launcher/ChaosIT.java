package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.paperpod.embedded.PodmanService;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.WorkerProcess;
import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.job.JobKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Things break while jobs run — workers are killed with SIGKILL mid-job, the broker and PostgreSQL crash and come
 * back — and every accepted job still ends exactly once, with one result. Workers run as separate processes here,
 * so they can be killed for real. The figures of each run are logged ({@code CHAOS …}).
 */
class ChaosIT {

    private static final Logger log = LoggerFactory.getLogger(ChaosIT.class);
    private static final Map<String, String> WORKER = Map.of(
            "paperpod.worker.sandbox.image", "localhost/paperpod/test",
            "paperpod.worker.sandbox.min-idle", "1",
            "paperpod.worker.sandbox.max", "2",
            "paperpod.worker.browser.enabled", "false");

    static EmbeddedStack stack;
    static Api api;
    static final List<WorkerProcess> workers = Collections.synchronizedList(new ArrayList<>());
    static final AtomicInteger workerCount = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Path home =
                Files.createTempDirectory(Path.of("target"), "paperpod-chaos-").toAbsolutePath();
        Map<String, String> overrides = new HashMap<>(WORKER);
        overrides.put("paperpod.scheduler.lifecycle.retry-backoff", "300ms");
        overrides.put("paperpod.scheduler.lifecycle.worker-silence", "20s");
        stack = new EmbeddedStack(new EmbeddedStack.Settings(
                        home,
                        0,
                        "127.0.0.1",
                        "pp_chaos_" + UUID.randomUUID(),
                        PodmanService.defaultSocket(),
                        false,
                        overrides))
                .start();
        api = new Api(stack.baseUrl(), stack.devToken());
        startWorker();
        startWorker();
    }

    @AfterAll
    static void stop() {
        workers.forEach(WorkerProcess::close);
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void workersKilledMidJobLoseNoJobAndRecordEachResultOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            // each round its own jobs: a kill finds one running however fast the earlier ones went
            ids.addAll(submit(15, "sleep 1; echo chaos-" + round + "-"));
            WorkerProcess victim =
                    await().atMost(Duration.ofSeconds(120)).until(ChaosIT::aWorkerRunningAJob, w -> w != null);
            victim.kill();
            workers.remove(victim);
            log.info("CHAOS killed {} (SIGKILL) in the middle of a job", victim.id());
            startWorker();
        }

        Outcome outcome = awaitEnds(ids, Duration.ofMinutes(4));
        log.info("CHAOS kill -9 x3: {}", outcome);
        assertThat(outcome.succeeded()).as(outcome.toString()).isEqualTo(ids.size());
        assertThat(outcome.wrongOutput()).isZero();
        assertThat(outcome.rows()).as("one row, one result per job").isEqualTo(ids.size());
    }

    @Test
    void anAccountsSandboxOnAKilledWorkerIsMadeAnewAndTheNextCallSaysSo() throws Exception {
        String name = "chaos-" + UUID.randomUUID().toString().substring(0, 8);
        Api sandbox = api.withSandbox(name);
        Api.Response written = sandbox.post("/files/write", Map.of("path", "kept.txt", "content", "before"));
        assertThat(written.status()).as(written.toString()).isEqualTo(200);
        String before = written.text("sandboxId");
        String host = text("select worker_id from sandboxes where name = ?", name);
        WorkerProcess victim;
        synchronized (workers) {
            victim = workers.stream()
                    .filter(w -> w.id().equals(host))
                    .findFirst()
                    .orElseThrow();
        }

        victim.kill();
        workers.remove(victim);
        log.info("CHAOS killed {} (SIGKILL), the host of sandbox {}", victim.id(), before);
        startWorker();
        // its last heartbeat goes stale: from then on, calls are placed on a live worker
        await().atMost(Duration.ofSeconds(60))
                .until(() -> query(
                                "select count(*) from workers where worker_id = ?"
                                        + " and last_seen > now() - interval '10 seconds'",
                                victim.id())
                        == 0);

        Api.Response after = sandbox.post("/execute", Map.of("language", "shell", "code", "cat kept.txt"));
        assertThat(after.status()).as(after.toString()).isEqualTo(200);
        assertThat(after.json().path("sandboxRestarted").asBoolean())
                .as(after.toString())
                .isTrue();
        assertThat(after.text("previousSandboxId")).isEqualTo(before);
        assertThat(after.text("sandboxId")).isNotEqualTo(before);
        assertThat(after.json().path("exitCode").asInt())
                .as("the old sandbox's file is gone")
                .isNotZero();
        assertThat(text("select worker_id from sandboxes where name = ?", name)).isNotEqualTo(victim.id());
        Api.Response next = sandbox.get("/status");
        assertThat(next.json().has("sandboxRestarted")).as("said once").isFalse();
        assertThat(next.text("sandboxId")).isEqualTo(after.text("sandboxId"));
    }

    @Test
    void jobsAcceptedWhileTheBrokerAndThenPostgresCrashAllComplete() throws Exception {
        List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger refused = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        // submits until both crashes are over, however long the restarts take
        Thread submitter = new Thread(() -> {
            int i = 0;
            while (!stop.get()) {
                try {
                    Api.Response r = api.post("/v1/jobs", Map.of("language", "shell", "code", "echo restart-" + i));
                    if (r.status() == 202) {
                        accepted.add(r.text("id"));
                    } else {
                        refused.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    refused.incrementAndGet();
                }
                i++;
                LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            }
        });
        submitter.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 20);
        stack.kafka().kill();
        log.info("CHAOS broker killed after {} accepted", accepted.size());
        stack.kafka().start();
        int beforePostgres = accepted.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= beforePostgres + 20);
        stack.postgres().kill();
        log.info("CHAOS PostgreSQL killed after {} accepted", accepted.size());
        stack.postgres().start();
        int afterPostgres = accepted.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= afterPostgres + 10);
        stop.set(true);
        submitter.join();

        List<String> ids = List.copyOf(accepted);
        Outcome outcome = awaitEnds(ids, Duration.ofMinutes(4));
        log.info("CHAOS broker and PostgreSQL restarts: {} (refused while down: {})", outcome, refused.get());
        assertThat(outcome.succeeded()).as(outcome.toString()).isEqualTo(ids.size());
        assertThat(outcome.rows()).isEqualTo(ids.size());
    }

    @Test
    void replayingTheJobAndEventTopicsFromOffsetZeroChangesNothing() throws Exception {
        List<String> ids = submit(12, "echo replay-");
        awaitEnds(ids, Duration.ofMinutes(2));
        String before = snapshot();

        int replayedJobs = replay(Topics.jobs(JobKind.EXEC));
        int replayedEvents = replay(Topics.JOB_EVENTS);
        awaitCaughtUp(dev.paperpod.worker.jobs.JobConsumers.group(JobKind.EXEC), Topics.jobs(JobKind.EXEC));
        awaitCaughtUp("paperpod-projector", Topics.JOB_EVENTS);
        String after = snapshot();

        log.info(
                "CHAOS replay of every partition from offset 0: {} job records and {} events delivered again; jobs and"
                        + " attempts {}",
                replayedJobs,
                replayedEvents,
                before.equals(after) ? "unchanged" : "CHANGED");
        assertThat(replayedJobs).isGreaterThanOrEqualTo(ids.size());
        assertThat(replayedEvents).isGreaterThanOrEqualTo(2 * ids.size());
        assertThat(after).isEqualTo(before);
    }

    /** Every job and attempt as PostgreSQL has them, to compare before and after. */
    private static String snapshot() throws SQLException {
        StringBuilder all = new StringBuilder();
        try (Connection c = stack.postgres().dataSource().getConnection();
                var s = c.createStatement()) {
            for (String sql : List.of(
                    "select id, status, version, attempts, result::text, error::text from jobs order by id",
                    "select job_id, attempt, worker_id, finished_at, verdict, redeliveries from job_attempts"
                            + " order by job_id, attempt")) {
                try (ResultSet rs = s.executeQuery(sql)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            all.append(rs.getString(i)).append('|');
                        }
                        all.append('\n');
                    }
                }
            }
        }
        return all.toString();
    }

    /** Produces every record of every partition, from offset 0, onto it again, as a replay would deliver them. */
    private static int replay(String topic) throws Exception {
        Map<String, Object> consumerConfig = Map.of(
                "bootstrap.servers", stack.kafka().bootstrapServers(),
                "key.deserializer", ByteArrayDeserializer.class.getName(),
                "value.deserializer", ByteArrayDeserializer.class.getName());
        Map<String, Object> producerConfig = Map.of(
                "bootstrap.servers", stack.kafka().bootstrapServers(),
                "acks", "all",
                "key.serializer", ByteArraySerializer.class.getName(),
                "value.serializer", ByteArraySerializer.class.getName());
        int count = 0;
        try (var consumer = new KafkaConsumer<byte[], byte[]>(consumerConfig);
                var producer = new KafkaProducer<byte[], byte[]>(producerConfig)) {
            for (var info : consumer.partitionsFor(topic)) {
                count += replay(consumer, producer, new TopicPartition(topic, info.partition()));
            }
            producer.flush();
        }
        return count;
    }

    private static int replay(
            KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer, TopicPartition tp) {
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        int count = 0;
        while (consumer.position(tp) < end) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (r.offset() < end) {
                    producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), r.key(), r.value(), r.headers()));
                    count++;
                }
            }
        }
        return count;
    }

    /** Waits until the group has processed every record of the topic. */
    private static void awaitCaughtUp(String group, String topic) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    try (var admin = Admin.create(
                            Map.of("bootstrap.servers", stack.kafka().bootstrapServers()))) {
                        var committed = admin.listConsumerGroupOffsets(group)
                                .partitionsToOffsetAndMetadata()
                                .get();
                        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                        committed.keySet().stream()
                                .filter(tp -> tp.topic().equals(topic))
                                .forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                        var ends = admin.listOffsets(latest).all().get();
                        return !latest.isEmpty()
                                && ends.entrySet().stream()
                                        .allMatch(e -> committed.get(e.getKey()).offset()
                                                >= e.getValue().offset());
                    }
                });
    }

    private static void startWorker() {
        WorkerProcess worker = WorkerProcess.start(stack, "chaos-w" + workerCount.incrementAndGet(), WORKER);
        workers.add(worker);
        await().atMost(Duration.ofSeconds(120)).until(() -> isReady(worker.id()));
    }

    private static List<String> submit(int count, String prefix) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Api.Response r = api.post("/v1/jobs", Map.of("language", "shell", "code", prefix + i, "maxAttempts", 5));
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            ids.add(r.text("id"));
        }
        return ids;
    }

    private static WorkerProcess aWorkerRunningAJob() throws SQLException {
        synchronized (workers) {
            for (WorkerProcess w : workers) {
                if (query("select count(*) from jobs where status = 'RUNNING' and worker_id = ?", w.id()) > 0) {
                    return w;
                }
            }
        }
        return null;
    }

    private static boolean isReady(String workerId) throws SQLException {
        return query(
                        "select count(*) from workers w join worker_capacity c on c.worker_id = w.worker_id"
                                + " where w.worker_id = ? and c.kind = 'exec' and c.ready > 0"
                                + " and w.last_seen > now() - interval '10 seconds'",
                        workerId)
                > 0;
    }

    /** What became of the jobs: counted in PostgreSQL once none is left waiting or running. */
    record Outcome(
            int submitted,
            long succeeded,
            long otherEnds,
            long rows,
            long wrongOutput,
            long attempts,
            long redeliveries,
            long lost) {}

    private static Outcome awaitEnds(List<String> ids, Duration within) throws SQLException {
        String[] array = ids.toArray(String[]::new);
        await().atMost(within)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> count(
                                array,
                                "select count(*) from jobs where id = any(?::uuid[]) and status in"
                                        + " ('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELED')")
                        == ids.size());
        long succeeded = count(array, "select count(*) from jobs where id = any(?::uuid[]) and status = 'SUCCEEDED'");
        long rows = count(array, "select count(*) from jobs where id = any(?::uuid[]) and result is not null");
        long wrong = count(
                array,
                "select count(*) from jobs where id = any(?::uuid[]) and status = 'SUCCEEDED'"
                        + " and result->>'stdout' <> (regexp_replace(spec->>'code', '^.*echo ', '') || E'\\n')");
        long attempts = count(array, "select count(*) from job_attempts where job_id = any(?::uuid[])");
        long redeliveries =
                count(array, "select coalesce(sum(redeliveries), 0) from job_attempts where job_id = any(?::uuid[])");
        long present = count(array, "select count(*) from jobs where id = any(?::uuid[])");
        return new Outcome(
                ids.size(),
                succeeded,
                ids.size() - succeeded,
                rows,
                wrong,
                attempts,
                redeliveries,
                ids.size() - present);
    }

    private static long count(String[] ids, String sql) throws SQLException {
        try (Connection c = stack.postgres().dataSource().getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setArray(1, c.createArrayOf("text", ids));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String text(String sql, String param) throws SQLException {
        try (Connection c = stack.postgres().dataSource().getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as(sql + " " + param).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static long query(String sql, String param) throws SQLException {
        try (Connection c = stack.postgres().dataSource().getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
