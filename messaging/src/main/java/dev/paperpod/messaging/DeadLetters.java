package dev.paperpod.messaging;

import dev.paperpod.schemas.Topics;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;

/**
 * Where records go that no consumer can process (malformed, or their processing threw): {@code <topic>.dlt}, with
 * the original topic, partition, offset and the exception in Spring Kafka's {@code kafka_dlt-*} headers. The send is
 * awaited and a failed send fails the recovery, so a poison record is either dead-lettered or delivered again.
 */
public final class DeadLetters {

    private DeadLetters() {}

    public static DeadLetterPublishingRecoverer recoverer(KafkaOperations<?, ?> kafka) {
        // Partition -1: the dead-letter topic has one partition, whatever the original topic has.
        return new DeadLetterPublishingRecoverer(
                kafka, (record, e) -> new TopicPartition(Topics.deadLetters(record.topic()), -1));
    }
}
