package dev.paperpod.messaging;

import dev.paperpod.schemas.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * Declares every shared topic ({@link Topics#definitions()}) at start-up, so whichever app starts first finds them;
 * records may be as large as {@link Topics#MAX_MESSAGE_BYTES}. Imported by each app.
 */
@Configuration(proxyBeanMethods = false)
public class TopicsConfig {

    /** A topic as PaperPod declares it. */
    public static NewTopic topic(String name, int partitions, short replicas) {
        return TopicBuilder.name(name)
                .partitions(partitions)
                .replicas(replicas)
                .config("max.message.bytes", Integer.toString(Topics.MAX_MESSAGE_BYTES))
                .build();
    }

    @Bean
    KafkaAdmin.NewTopics paperpodTopics(@Value("${paperpod.kafka.replication-factor:1}") short replicas) {
        return new KafkaAdmin.NewTopics(Topics.definitions().stream()
                .map(t -> topic(t.name(), t.partitions(), replicas))
                .toArray(NewTopic[]::new));
    }
}
