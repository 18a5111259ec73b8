package dev.paperpod.api.sync;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.messaging.ListenerThreads;
import dev.paperpod.messaging.TopicsConfig;
import java.time.Duration;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;

/** The request/reply plumbing of sync jobs: this instance's reply topic and the template that awaits on it. */
@Configuration(proxyBeanMethods = false)
@Import({TopicsConfig.class, ListenerThreads.class})
class ReplyConfig {

    @Bean
    NewTopic replyTopic(ApiProperties properties) {
        return TopicsConfig.topic(properties.replyTopic(), 1, (short) 1);
    }

    @Bean
    ConcurrentMessageListenerContainer<String, byte[]> replyContainer(
            ConcurrentKafkaListenerContainerFactory<String, byte[]> factory, ApiProperties properties) {
        ConcurrentMessageListenerContainer<String, byte[]> container = factory.createContainer(properties.replyTopic());
        container.getContainerProperties().setGroupId("paperpod-api-replies-" + properties.instanceId());
        // Replies from before this start belong to requests nobody waits for any more.
        container.getContainerProperties().getKafkaConsumerProperties().setProperty("auto.offset.reset", "latest");
        container.setAutoStartup(false); // the template starts it
        return container;
    }

    @Bean
    ReplyingKafkaTemplate<String, byte[], byte[]> replyingTemplate(
            ProducerFactory<String, byte[]> producers, ConcurrentMessageListenerContainer<String, byte[]> replies) {
        ReplyingKafkaTemplate<String, byte[], byte[]> template = new ReplyingKafkaTemplate<>(producers, replies);
        template.setSharedReplyTopic(false);
        return template;
    }

    /**
     * A reply produced before the reply consumer holds its partition would be skipped ({@code latest}); wait for
     * the assignment before the API takes requests.
     */
    @Bean
    ApplicationRunner awaitReplyAssignment(ReplyingKafkaTemplate<String, byte[], byte[]> template) {
        return args -> {
            if (!template.waitForAssignment(Duration.ofSeconds(60))) {
                throw new IllegalStateException("the reply topic was not assigned within 60 s: is Kafka up?");
            }
        };
    }

    @Bean
    @Primary
    KafkaTemplate<String, byte[]> kafkaTemplate(ProducerFactory<String, byte[]> producers) {
        return new KafkaTemplate<>(producers);
    }
}
