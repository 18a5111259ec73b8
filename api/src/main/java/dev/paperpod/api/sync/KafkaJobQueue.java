package dev.paperpod.api.sync;

import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobQueued;
import dev.paperpod.schemas.job.JobEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Sync jobs over Kafka request/reply: the job goes to {@code paperpod.jobs.<kind>.sync} carrying this instance's reply
 * topic; the worker answers there with the {@link JobFinished} event. A {@code job.queued} event goes to the
 * events topic beside it so the job appears in history even though it never touched the outbox.
 */
@Component
class KafkaJobQueue implements JobQueue {

    private static final Logger log = LoggerFactory.getLogger(KafkaJobQueue.class);

    private final ReplyingKafkaTemplate<String, byte[], byte[]> requests;
    private final KafkaTemplate<String, byte[]> events;
    private final Clock clock;

    KafkaJobQueue(
            ReplyingKafkaTemplate<String, byte[], byte[]> requests, KafkaTemplate<String, byte[]> events, Clock clock) {
        this.requests = requests;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<JobFinished> submitAndAwait(JobEnvelope job, Duration wait) {
        return submit(
                job,
                new ProducerRecord<>(Topics.syncJobs(job.kind()), job.jobId().toString(), Wire.write(job)),
                wait);
    }

    @Override
    public CompletableFuture<JobFinished> submitToWorkerAndAwait(JobEnvelope job, String workerId, Duration wait) {
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(Topics.sandbox(workerId), job.jobId().toString(), Wire.write(job));
        record.headers().add(Topics.SANDBOX_RECORD_HEADER, Topics.SANDBOX_JOB.getBytes(StandardCharsets.UTF_8));
        return submit(job, record, wait);
    }

    private CompletableFuture<JobFinished> submit(
            JobEnvelope job, ProducerRecord<String, byte[]> record, Duration wait) {
        String key = job.jobId().toString();
        JobQueued queued = new JobQueued(UUID.randomUUID(), job.jobId(), clock.instant(), job);
        events.send(Topics.JOB_EVENTS, key, Wire.write(queued)).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("job.queued event of sync job {} not recorded: {}", job.jobId(), e.toString());
            }
        });
        return Replies.await(requests, record, wait, JobFinished.class);
    }
}
