package dev.paperpod.api.sync;

import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.event.JobQueued;
import dev.paperpod.schemas.job.JobEnvelope;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.requestreply.KafkaReplyTimeoutException;
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
        String key = job.jobId().toString();
        JobQueued queued = new JobQueued(UUID.randomUUID(), job.jobId(), clock.instant(), job);
        events.send(Topics.JOB_EVENTS, key, Wire.write(queued)).whenComplete((ok, e) -> {
            if (e != null) {
                log.warn("job.queued event of sync job {} not recorded: {}", job.jobId(), e.toString());
            }
        });
        return requests.sendAndReceive(new ProducerRecord<>(Topics.syncJobs(job.kind()), key, Wire.write(job)), wait)
                .thenApply(reply -> Wire.read(reply.value(), JobFinished.class))
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    return CompletableFuture.failedFuture(
                            cause instanceof KafkaReplyTimeoutException ? new NoReplyException(wait, cause) : cause);
                });
    }
}
