package dev.paperpod.api.jobs;

import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.JobCancel;
import dev.paperpod.store.JobRecord;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Cancels on {@link Topics#JOB_CONTROL}. The send is awaited: a cancel the client was told about has reached Kafka.
 * The database already says CANCELED (or cancel requested) by then, so a lost send costs a wasted run whose events
 * the projector ignores, never a wrong status.
 */
@Component
class KafkaJobControl implements JobControl {

    private final KafkaTemplate<String, byte[]> kafka;
    private final Clock clock;

    KafkaJobControl(KafkaTemplate<String, byte[]> kafka, Clock clock) {
        this.kafka = kafka;
        this.clock = clock;
    }

    @Override
    public void cancel(JobRecord job) {
        JobCancel cancel = new JobCancel(UUID.randomUUID(), job.id(), job.accountId(), clock.instant());
        try {
            kafka.send(Topics.JOB_CONTROL, job.id().toString(), Wire.write(cancel))
                    .get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending the cancel of job " + job.id(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not tell the workers that job " + job.id() + " is canceled", e);
        }
    }
}
