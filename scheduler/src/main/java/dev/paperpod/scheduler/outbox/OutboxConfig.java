package dev.paperpod.scheduler.outbox;

import dev.paperpod.scheduler.SchedulerProperties;
import dev.paperpod.schemas.Topics;
import dev.paperpod.store.Outbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "paperpod.scheduler.outbox.enabled", matchIfMissing = true)
class OutboxConfig {

    @Bean
    OutboxRelay outboxRelay(
            DataSourceProperties dataSource, KafkaProperties kafka, SchedulerProperties properties, Outbox outbox) {
        SchedulerProperties.Outbox relay = properties.outbox();
        try {
            Files.createDirectories(relay.offsetDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the outbox relay's offset directory", e);
        }
        DebeziumSettings settings = new DebeziumSettings(
                dataSource.getUrl(),
                dataSource.getUsername(),
                dataSource.getPassword(),
                outbox.databaseIdentity(),
                relay);
        return new OutboxRelay(settings, relayProducer(kafka), relay);
    }

    /** Its own producer: idempotent, acks from all replicas, no lingering (latency is the point). */
    private static Producer<String, byte[]> relayProducer(KafkaProperties kafka) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "paperpod-outbox-relay");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }
}
