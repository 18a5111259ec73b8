package dev.paperpod.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.paperpod.embedded.KafkaServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

/**
 * {@link JobConsumer} against a real broker: jobs of one partition run side by side, offsets are committed only up
 * to the first job not yet ended, a rebalance never hands a running job to another worker, and a record whose
 * handler throws is dead-lettered without holding up its partition.
 */
class JobConsumerIT {

    @TempDir
    static Path home;

    static KafkaServer kafka;
    static Admin admin;
    static KafkaProducer<String, byte[]> producer;

    String topic;
    String group;
    /** How often each record value was handled. */
    final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    /** Records whose value is {@code block:<name>} wait for the latch of that name. */
    final Map<String, CountDownLatch> latches = new ConcurrentHashMap<>();

    final List<ConsumerRecord<?, ?>> deadLettered = new CopyOnWriteArrayList<>();
    final List<JobConsumer> consumers = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startKafka() {
        kafka = KafkaServer.start(home.resolve("kafka"), 0);
        admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()));
        producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    @AfterAll
    static void stopKafka() {
        producer.close();
        admin.close();
        kafka.close();
    }

    @BeforeEach
    void newTopic() throws Exception {
        topic = "jobs-" + UUID.randomUUID();
        group = "workers-" + UUID.randomUUID();
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
    }

    @AfterEach
    void stopConsumers() {
        latches.values().forEach(CountDownLatch::countDown);
        consumers.forEach(JobConsumer::stop);
    }

    @Test
    void aQuickJobRunsWhileALongOneOfItsPartitionRunsAndTheOffsetWaitsForTheLongOne() throws Exception {
        latches.put("long", new CountDownLatch(1));
        send(0, "block:long");
        send(0, "quick");
        start(4);

        await().atMost(Duration.ofSeconds(30)).until(() -> count("quick") == 1);
        assertThat(count("block:long")).as("still running").isEqualTo(1);
        assertThat(committed(0)).as("nothing committed past the running job").isIn(-1L, 0L);

        latches.get("long").countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> committed(0) == 2);
    }

    @Test
    void manyQuickJobsEndingWhileCommitsAreUnderWayAreAllCommittedWhileTheConsumerRuns() throws Exception {
        // two runners: the consumer holds at four fetched jobs and resumes as they end; ends that come while a commit
        // is under way go with the next one
        for (int i = 0; i < 100; i++) {
            send(i % 2, "quick-" + i);
        }
        start(2);

        await().atMost(Duration.ofSeconds(30)).until(() -> committed(0) == 50 && committed(1) == 50);
        for (int i = 0; i < 100; i++) {
            assertThat(count("quick-" + i)).as("quick-" + i).isEqualTo(1);
        }
    }

    @Test
    void aRevokedPartitionsRunningJobEndsFirstAndItsWaitingJobsRunOnceElsewhere() throws Exception {
        latches.put("long", new CountDownLatch(1));
        send(0, "block:long");
        send(0, "second");
        send(0, "third");
        send(1, "other");
        JobConsumer first = start(1); // one runner: the second and third wait behind the long one
        await().atMost(Duration.ofSeconds(30)).until(() -> count("block:long") == 1);

        start(1); // a second worker joins: the group rebalances, and waits for the first to let go
        await().atMost(Duration.ofSeconds(30)).until(first::isHandingOver);
        // and keeps waiting as long as the job runs
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(first::isHandingOver);
        assertThat(admin.describeConsumerGroups(List.of(group))
                        .all()
                        .get()
                        .get(group)
                        .groupState())
                .isNotEqualTo(GroupState.STABLE);
        latches.get("long").countDown();

        await().atMost(Duration.ofSeconds(60))
                .until(() -> count("second") + count("third") + count("other") == 3
                        && committed(0) == 3
                        && committed(1) == 1);
        assertThat(handled)
                .as("each job once: none handed to the second worker while it ran")
                .allSatisfy((value, n) -> assertThat(n.get()).as(value).isEqualTo(1));
    }

    @Test
    void aRecordWhoseHandlerThrowsIsDeadLetteredAndItsPartitionMovesOn() throws Exception {
        send(1, "throw");
        send(1, "after");
        start(2);

        await().atMost(Duration.ofSeconds(30)).until(() -> count("after") == 1 && committed(1) == 2);
        assertThat(deadLettered)
                .singleElement()
                .satisfies(r -> assertThat(r.offset()).isZero());
    }

    @Test
    void aPausedConsumerTakesNothingUntilResumed() throws Exception {
        JobConsumer jobs = start(2);
        jobs.pause();
        await().atMost(Duration.ofSeconds(30)).until(jobs::isPaused);
        send(0, "while-paused");
        // On the broker, and not taken for as long as the pause lasts.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> count("while-paused") == 0);

        jobs.resume();
        await().atMost(Duration.ofSeconds(30)).until(() -> count("while-paused") == 1 && committed(0) == 1);
    }

    private JobConsumer start(int concurrency) {
        DefaultKafkaConsumerFactory<String, byte[]> factory = new DefaultKafkaConsumerFactory<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                        200),
                new StringDeserializer(),
                new ByteArrayDeserializer());
        JobConsumer consumer = new JobConsumer(
                factory,
                topic,
                group,
                concurrency,
                this::handle,
                (record, e) -> deadLettered.add(record),
                Duration.ofSeconds(5),
                new SimpleMeterRegistry());
        consumers.add(consumer);
        consumer.start();
        return consumer;
    }

    private void handle(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        String value = new String(record.value(), StandardCharsets.UTF_8);
        handled.computeIfAbsent(value, v -> new AtomicInteger()).incrementAndGet();
        if (value.equals("throw")) {
            throw new IllegalStateException("a job the handler cannot take");
        }
        if (value.startsWith("block:")) {
            assertThat(latches.get(value.substring("block:".length())).await(60, TimeUnit.SECONDS))
                    .isTrue();
        }
    }

    private void send(int partition, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, null, value.getBytes(StandardCharsets.UTF_8)))
                .get();
    }

    private int count(String value) {
        AtomicInteger n = handled.get(value);
        return n == null ? 0 : n.get();
    }

    /** The group's committed offset of a partition, or -1. */
    private long committed(int partition) throws Exception {
        OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get()
                .get(new TopicPartition(topic, partition));
        return offset == null ? -1 : offset.offset();
    }
}
