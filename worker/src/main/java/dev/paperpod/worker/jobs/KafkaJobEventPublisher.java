package dev.paperpod.worker.jobs;

import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.event.JobEvent;
import dev.paperpod.schemas.event.JobFinished;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.worker.WorkerProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.stereotype.Component;

/**
 * Job events on {@link Topics#JOB_EVENTS} and sync replies on the asking API's reply topic, keyed by job id.
 * Background jobs' events go through a producer of their own that lingers ({@code backgroundEventLinger}): under
 * load a request then carries the ends of several jobs, where it carried one.
 */
@Component
class KafkaJobEventPublisher implements JobEventPublisher, DisposableBean {

    private final KafkaTemplate<String, byte[]> kafka;
    /** The background events' own producers; null when they do not linger and share the context's. */
    private final @Nullable ProducerFactory<String, byte[]> lingering;

    private final KafkaTemplate<String, byte[]> background;

    @Autowired
    KafkaJobEventPublisher(
            KafkaTemplate<String, byte[]> kafka,
            ProducerFactory<String, byte[]> producers,
            WorkerProperties properties) {
        this(kafka, producers, properties.backgroundEventLinger());
    }

    KafkaJobEventPublisher(
            KafkaTemplate<String, byte[]> kafka, ProducerFactory<String, byte[]> producers, Duration backgroundLinger) {
        this.kafka = kafka;
        long linger = backgroundLinger.toMillis();
        this.lingering = linger > 0
                ? producers.copyWithConfigurationOverride(Map.of(ProducerConfig.LINGER_MS_CONFIG, (int) linger))
                : null;
        this.background = lingering != null ? new KafkaTemplate<>(lingering) : kafka;
    }

    @Override
    public CompletableFuture<?> publish(JobEvent event, JobSource source) {
        return (source == JobSource.ASYNC ? background : kafka)
                .send(Topics.JOB_EVENTS, event.jobId().toString(), Wire.write(event));
    }

    @Override
    public CompletableFuture<?> reply(ReplyAddress to, JobFinished finished) {
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(to.topic(), finished.jobId().toString(), Wire.write(finished));
        record.headers().add(KafkaHeaders.CORRELATION_ID, to.correlationId());
        return kafka.send(record);
    }

    /** Closes the lingering producer (the shared one is the context's); what it holds is sent first. */
    @Override
    public void destroy() {
        if (lingering != null) {
            lingering.reset();
        }
    }
}
