package dev.paperpod.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.event.JobOutput;
import dev.paperpod.schemas.event.JobOutput.Stream;
import dev.paperpod.schemas.job.JobSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

class KafkaJobEventPublisherTest {

    private final Producers shared = new Producers(Map.of());
    private final KafkaTemplate<String, byte[]> template = new KafkaTemplate<>(shared);

    @Test
    void backgroundJobsEventsGoThroughALingeringProducerSyncOnesAtOnce() {
        KafkaJobEventPublisher publisher = new KafkaJobEventPublisher(template, shared, Duration.ofMillis(5));
        Producers lingering = shared.copies.get(0);

        publisher.publish(output(), JobSource.ASYNC);
        publisher.publish(output(), JobSource.SYNC);
        publisher.publish(output(), JobSource.ASYNC);

        assertThat(lingering.overrides).containsEntry(ProducerConfig.LINGER_MS_CONFIG, 5);
        assertThat(lingering.producer.history())
                .hasSize(2)
                .allMatch(r -> r.topic().equals(Topics.JOB_EVENTS));
        assertThat(shared.producer.history()).as("the sync job's event").hasSize(1);

        publisher.destroy();
        assertThat(lingering.resets).as("its producer closed").isEqualTo(1);
        assertThat(shared.resets).as("the context's own left alone").isZero();
    }

    @Test
    void noLingerSendsEverythingThroughTheSharedProducer() {
        KafkaJobEventPublisher publisher = new KafkaJobEventPublisher(template, shared, Duration.ZERO);

        publisher.publish(output(), JobSource.ASYNC);
        publisher.destroy();

        assertThat(shared.copies).isEmpty();
        assertThat(shared.producer.history()).extracting(ProducerRecord::topic).containsExactly(Topics.JOB_EVENTS);
        assertThat(shared.resets).isZero();
    }

    private static JobOutput output() {
        return new JobOutput(UUID.randomUUID(), UUID.randomUUID(), Instant.EPOCH, 1, 0, Stream.STDOUT, "hi");
    }

    /** Hands out one MockProducer; copies made with overrides keep them for the test to see. */
    private static final class Producers implements ProducerFactory<String, byte[]> {
        final Map<String, Object> overrides;
        // shared, as DefaultKafkaProducerFactory's is: the template's close after each send leaves it open
        final MockProducer<String, byte[]> producer =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer()) {
                    @Override
                    public void close(Duration timeout) {}
                };
        final List<Producers> copies = new ArrayList<>();
        int resets;

        Producers(Map<String, Object> overrides) {
            this.overrides = overrides;
        }

        @Override
        public Producer<String, byte[]> createProducer() {
            return producer;
        }

        @Override
        public ProducerFactory<String, byte[]> copyWithConfigurationOverride(Map<String, Object> overrides) {
            Producers copy = new Producers(overrides);
            copies.add(copy);
            return copy;
        }

        @Override
        public void reset() {
            resets++;
        }
    }
}
