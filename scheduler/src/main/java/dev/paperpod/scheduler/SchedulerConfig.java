package dev.paperpod.scheduler;

import dev.paperpod.schemas.Topics;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

@Configuration(proxyBeanMethods = false)
class SchedulerConfig {

    @Bean
    KafkaAdmin.NewTopics topics(@Value("${paperpod.kafka.replication-factor:1}") short replicas) {
        return new KafkaAdmin.NewTopics(Topics.definitions().stream()
                .map(t -> TopicBuilder.name(t.name())
                        .partitions(t.partitions())
                        .replicas(replicas)
                        .build())
                .toArray(NewTopic[]::new));
    }
}
