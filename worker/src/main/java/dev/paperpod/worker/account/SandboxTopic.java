package dev.paperpod.worker.account;

import dev.paperpod.schemas.MalformedMessageException;
import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.sandbox.SandboxCommand;
import dev.paperpod.schemas.sandbox.SandboxReply;
import dev.paperpod.worker.jobs.JobListener;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.TopicPartitionOffset;

/**
 * This worker's own topic, {@code paperpod.sandbox.<workerId>} (ADR 8): the exec jobs and the commands of the account
 * sandboxes it hosts. Read from its end with nobody else in its group (what was sent while nobody read it belongs to a
 * client that stopped waiting), and handed to threads of their own — exec jobs apart from commands, so a long program
 * never holds up a file read — since one partition has one reader.
 */
public final class SandboxTopic implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SandboxTopic.class);

    private final ConcurrentMessageListenerContainer<String, byte[]> container;
    private final SandboxCommands commands;
    private final JobListener jobs;
    private final KafkaTemplate<String, byte[]> kafka;
    private final Duration shutdownTimeout;
    private final Clock clock;
    private final ExecutorService jobThreads;
    private final ExecutorService commandThreads;
    private volatile boolean running;

    public SandboxTopic(
            String workerId,
            ConcurrentKafkaListenerContainerFactory<String, byte[]> containers,
            SandboxCommands commands,
            JobListener jobs,
            KafkaTemplate<String, byte[]> kafka,
            int jobThreads,
            int commandThreads,
            Duration shutdownTimeout,
            Clock clock) {
        this.commands = commands;
        this.jobs = jobs;
        this.kafka = kafka;
        this.shutdownTimeout = shutdownTimeout;
        this.clock = clock;
        this.jobThreads = threads("sandbox-job-", jobThreads);
        this.commandThreads = threads("sandbox-command-", commandThreads);
        container = containers.createContainer(
                new TopicPartitionOffset(Topics.sandbox(workerId), 0, TopicPartitionOffset.SeekPosition.END));
        container.getContainerProperties().setGroupId("paperpod-sandbox-" + workerId);
        container.getContainerProperties().setMessageListener((MessageListener<String, byte[]>) this::dispatch);
        container.setBeanName("sandbox-topic");
    }

    private void dispatch(ConsumerRecord<String, byte[]> record) {
        String kind = header(record, Topics.SANDBOX_RECORD_HEADER);
        if (Topics.SANDBOX_JOB.equals(kind)) {
            jobThreads.execute(() -> runJob(record));
        } else if (Topics.SANDBOX_COMMAND.equals(kind)) {
            commandThreads.execute(() -> runCommand(record));
        } else {
            log.warn(
                    "Dropped a record of the sandbox topic that is neither a job nor a command (offset {})",
                    record.offset());
        }
    }

    private void runJob(ConsumerRecord<String, byte[]> record) {
        try {
            jobs.process(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the client is told NO_WORKER_REPLY
        } catch (RuntimeException e) {
            log.error("An exec job of an account sandbox failed to run (offset {}): {}", record.offset(), e.toString());
        }
    }

    private void runCommand(ConsumerRecord<String, byte[]> record) {
        SandboxCommand command;
        try {
            command = Wire.read(record.value(), SandboxCommand.class);
        } catch (MalformedMessageException e) {
            log.warn("Dropped a malformed sandbox command (offset {}): {}", record.offset(), e.getMessage());
            return;
        }
        if (clock.instant().isAfter(command.expiresAt())) {
            log.info("Dropped sandbox command {}: its client stopped waiting", command.commandId());
            return;
        }
        String replyTopic = header(record, KafkaHeaders.REPLY_TOPIC);
        Header correlation = record.headers().lastHeader(KafkaHeaders.CORRELATION_ID);
        SandboxReply reply = commands.run(command);
        if (replyTopic == null || correlation == null) {
            return;
        }
        ProducerRecord<String, byte[]> answer =
                new ProducerRecord<>(replyTopic, command.commandId().toString(), Wire.write(reply));
        answer.headers().add(KafkaHeaders.CORRELATION_ID, correlation.value());
        kafka.send(answer).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("The reply to sandbox command {} was not sent: {}", command.commandId(), e.toString());
            }
        });
    }

    private static @Nullable String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static ExecutorService threads(String prefix, int n) {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(n, n, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void start() {
        container.start();
        running = true;
    }

    /** Stops reading, then lets what runs end, up to the shutdown timeout. */
    @Override
    public void stop() {
        running = false;
        container.stop();
        jobThreads.shutdown();
        commandThreads.shutdown();
        try {
            if (!jobThreads.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                jobThreads.shutdownNow();
            }
            if (!commandThreads.awaitTermination(1, TimeUnit.SECONDS)) {
                commandThreads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
