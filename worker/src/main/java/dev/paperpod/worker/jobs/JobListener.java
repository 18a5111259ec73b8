package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.MalformedMessageException;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.stereotype.Component;

/**
 * Runs job records of every kind taken from Kafka ({@link JobConsumers}: sync ones from each kind's listener
 * container, background ones from its {@link JobConsumer}) to their recorded end. The record is acknowledged only
 * after the job's {@code job.finished} event (and, for a sync job, its reply) is durably on Kafka: a worker that dies
 * mid-job leaves the job to be taken again. A malformed record, or one whose processing throws, is dead-lettered and
 * never run again (see {@code WorkerConfig#jobErrorHandler} and {@link JobConsumer}).
 */
@Component
public final class JobListener {

    private static final Logger log = LoggerFactory.getLogger(JobListener.class);
    private static final int PUBLISH_ATTEMPTS = 3;

    private final JobProcessor processor;
    private final JobEventPublisher events;
    private final Clock clock;

    JobListener(JobProcessor processor, JobEventPublisher events, Clock clock) {
        this.processor = processor;
        this.events = events;
        this.clock = clock;
    }

    /** Runs a job record to its recorded end. */
    public void process(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        Instant receivedAt = clock.instant();
        JobEnvelope job;
        try {
            job = Wire.read(record.value(), JobEnvelope.class);
        } catch (MalformedMessageException e) {
            throw new PoisonRecordException("a malformed job", e);
        }
        Instant relayedAt = job.source() == JobSource.ASYNC ? Instant.ofEpochMilli(record.timestamp()) : null;
        Optional<JobEventPublisher.ReplyAddress> replyTo = replyAddress(record);
        JobFinished finished =
                processor.process(job, receivedAt, relayedAt, (end, reply) -> recordEnd(job, end, reply, replyTo));
        log.debug(
                "Job {} {} in {}",
                job.jobId(),
                finished.status(),
                finished.timing() == null ? "-" : finished.timing().totalMs() + " ms");
    }

    /**
     * Publishes the end of a job (and the sync reply), retrying the publication, never the job: a program must not
     * run twice because Kafka was briefly away. When every attempt fails the job is left to the deadline sweeper
     * (issue 4) and the record is acknowledged.
     */
    private void recordEnd(
            JobEnvelope job, JobEvent end, JobFinished finished, Optional<JobEventPublisher.ReplyAddress> replyTo)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            CompletableFuture<?> recorded = events.publish(end, job.source());
            CompletableFuture<?> replied =
                    replyTo.map(to -> events.reply(to, finished)).orElse(CompletableFuture.completedFuture(null));
            try {
                CompletableFuture.allOf(recorded, replied).get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException e) {
                if (attempt == PUBLISH_ATTEMPTS) {
                    log.error(
                            "Could not record the end of job {} after {} attempts; leaving it: {}",
                            job.jobId(),
                            attempt,
                            e.toString());
                    return;
                }
                log.warn(
                        "Recording the end of job {} failed (attempt {}), retrying: {}",
                        job.jobId(),
                        attempt,
                        e.toString());
                TimeUnit.SECONDS.sleep(attempt);
            }
        }
    }

    private static Optional<JobEventPublisher.ReplyAddress> replyAddress(ConsumerRecord<?, ?> record) {
        Header topic = record.headers().lastHeader(KafkaHeaders.REPLY_TOPIC);
        Header correlation = record.headers().lastHeader(KafkaHeaders.CORRELATION_ID);
        if (topic == null || correlation == null) {
            return Optional.empty();
        }
        return Optional.of(new JobEventPublisher.ReplyAddress(
                new String(topic.value(), StandardCharsets.UTF_8), correlation.value()));
    }
}
