package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.JobFinished;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.stereotype.Component;

/** Job events on {@link Topics#JOB_EVENTS} and sync replies on the asking API's reply topic, keyed by job id. */
@Component
class KafkaJobEventPublisher implements JobEventPublisher {

    private final KafkaTemplate<String, byte[]> kafka;

    KafkaJobEventPublisher(KafkaTemplate<String, byte[]> kafka) {
        this.kafka = kafka;
    }

    @Override
    public CompletableFuture<?> publish(JobEvent event) {
        return kafka.send(Topics.JOB_EVENTS, event.jobId().toString(), Wire.write(event));
    }

    @Override
    public CompletableFuture<?> reply(ReplyAddress to, JobFinished finished) {
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(to.topic(), finished.jobId().toString(), Wire.write(finished));
        record.headers().add(KafkaHeaders.CORRELATION_ID, to.correlationId());
        return kafka.send(record);
    }
}
