package dev.paperpod.scheduler.outbox;

import dev.paperpod.scheduler.SchedulerProperties;
import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.store.Outbox;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.databind.JsonNode;

/**
 * The transactional outbox relay: Debezium's embedded engine reads the {@code outbox} table's inserts from
 * PostgreSQL's logical replication stream, its outbox event router turns each row into a record for
 * {@code paperpod.jobs.<aggregatetype>} keyed by {@code aggregateid}, and this class produces them to Kafka. A row
 * that carries several jobs ({@link Outbox#enqueueGrouped}: a dispatching round's) becomes a record per job, each
 * with the key the dispatcher chose for it: one change to decode per round, not per job.
 *
 * <p>A batch is marked processed only after Kafka acknowledged every record in it, so the slot's position never
 * passes an unrelayed job: after a crash the relay sends again what it may have sent (consumers are
 * idempotent), and loses nothing. When Kafka or PostgreSQL fails, the engine stops and is restarted after a
 * back-off.
 */
public final class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    /** Header carrying the outbox row's id, which identifies the submission across re-sends. */
    public static final String OUTBOX_ID_HEADER = "paperpod-outbox-id";
    /** Header of a dead-lettered outbox row: why it could not be relayed. */
    public static final String ERROR_HEADER = "paperpod-error";

    private final DebeziumSettings settings;
    private final Producer<String, byte[]> producer;
    private final SchedulerProperties.Outbox config;
    private final ExecutorService engineThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "outbox-relay"));
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "outbox-relay-restart");
        t.setDaemon(true);
        return t;
    });
    private volatile RelayStatus status = new RelayStatus(RelayStatus.State.STOPPED, "not started");
    private volatile boolean running;
    private DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;

    public OutboxRelay(
            DebeziumSettings settings, Producer<String, byte[]> producer, SchedulerProperties.Outbox config) {
        this.settings = settings;
        this.producer = producer;
        this.config = config;
    }

    public RelayStatus status() {
        return status;
    }

    @Override
    public synchronized void start() {
        running = true;
        launch();
    }

    @Override
    public synchronized void stop() {
        running = false;
        restarts.shutdownNow();
        closeEngine();
        engineThread.shutdown();
        try {
            engineThread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(java.time.Duration.ofSeconds(5));
        status = new RelayStatus(RelayStatus.State.STOPPED, "stopped");
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private synchronized void launch() {
        if (!running) {
            return;
        }
        Properties props = settings.properties();
        status = new RelayStatus(RelayStatus.State.STARTING, "connecting to PostgreSQL");
        engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                .using(props)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void pollingStarted() {
                        status = new RelayStatus(RelayStatus.State.RUNNING, "streaming");
                        log.info("Outbox relay streaming from slot {}", config.slotName());
                    }
                })
                .using((success, message, error) -> onEngineEnd(success, message, error))
                .notifying(this::relay)
                .build();
        engineThread.execute(engine);
    }

    private void onEngineEnd(boolean success, String message, Throwable error) {
        if (!running) {
            return;
        }
        String why = error != null ? error.toString() : message;
        status = new RelayStatus(RelayStatus.State.FAILED, why);
        log.error(
                "Outbox relay stopped ({}); restarting in {} ms",
                why,
                config.restartBackoff().toMillis());
        restarts.schedule(
                () -> {
                    closeEngine();
                    launch();
                },
                config.restartBackoff().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void relay(
            List<RecordChangeEvent<SourceRecord>> batch,
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(batch.size());
        for (RecordChangeEvent<SourceRecord> event : batch) {
            SourceRecord record = event.record();
            if (record.value() == null) {
                continue; // a tombstone: the outbox never asks for one
            }
            String id = header(record, "id");
            String payload = String.valueOf(record.value());
            if (Outbox.GROUPED_TYPE.equals(header(record, "type"))) {
                // one row for several jobs: a record each, keyed as the dispatcher chose, identified by row and place
                List<ProducerRecord<String, byte[]>> split;
                try {
                    split = split(record.topic(), payload, id);
                } catch (RuntimeException e) {
                    // Failing would replay the row at every restart and relay nothing after it, ever.
                    log.error("Outbox row {} is not a list of jobs; dead-lettering it: {}", id, e.toString());
                    ProducerRecord<String, byte[]> dead = record(
                            Topics.deadLetters(record.topic()), id, payload.getBytes(StandardCharsets.UTF_8), id);
                    dead.headers().add(ERROR_HEADER, e.toString().getBytes(StandardCharsets.UTF_8));
                    split = List.of(dead);
                }
                split.forEach(r -> sent.add(producer.send(r)));
            } else {
                sent.add(producer.send(record(
                        record.topic(), String.valueOf(record.key()), payload.getBytes(StandardCharsets.UTF_8), id)));
            }
        }
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Nothing of this batch is marked processed: the engine fails and replays it after the restart.
                throw new IllegalStateException("Kafka did not acknowledge an outbox record: " + e, e);
            }
        }
        for (RecordChangeEvent<SourceRecord> event : batch) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
    }

    /** The records of a grouped row, all of them or an exception: never half a row. */
    private static List<ProducerRecord<String, byte[]>> split(String topic, String payload, @Nullable String id) {
        JsonNode jobs = Wire.mapper().readTree(payload);
        if (!jobs.isArray()) {
            throw new IllegalArgumentException("the payload is not a JSON array");
        }
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            JsonNode entry = jobs.get(i);
            JsonNode key = entry.get("key");
            JsonNode job = entry.get("job");
            if (key == null || !key.isString() || job == null || !job.isObject()) {
                throw new IllegalArgumentException("entry " + i + " lacks its key or its job");
            }
            records.add(record(
                    topic, key.asString(), Wire.mapper().writeValueAsBytes(job), id == null ? null : id + "/" + i));
        }
        return records;
    }

    private static ProducerRecord<String, byte[]> record(
            String topic, String key, byte[] value, @Nullable String outboxId) {
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(topic, key, value);
        if (outboxId != null) {
            out.headers().add(OUTBOX_ID_HEADER, outboxId.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static @Nullable String header(SourceRecord record, String key) {
        Header header = record.headers().lastWithName(key);
        return header == null || header.value() == null ? null : header.value().toString();
    }

    private void closeEngine() {
        DebeziumEngine<?> current = engine;
        if (current == null) {
            return;
        }
        try {
            current.close();
        } catch (IOException e) {
            log.warn("Closing the outbox relay engine failed: {}", e.toString());
        } catch (IllegalStateException e) {
            // it had shut itself down already (that is why it is being restarted)
        }
    }
}
