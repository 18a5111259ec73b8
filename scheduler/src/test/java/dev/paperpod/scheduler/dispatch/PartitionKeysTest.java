package dev.paperpod.scheduler.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class PartitionKeysTest {

    private final PartitionKeys keys = new PartitionKeys();

    @Test
    void everyPartitionGetsAKeyKafkasOwnPartitionerSendsThere() {
        for (int partitions : new int[] {1, 3, 8, 24}) {
            for (int p = 0; p < partitions; p++) {
                byte[] key = keys.keyFor(p, partitions).getBytes(StandardCharsets.UTF_8);
                assertThat(BuiltInPartitioner.partitionForKey(key, partitions))
                        .as("partition %d of %d", p, partitions)
                        .isEqualTo(p);
            }
        }
    }

    @Test
    void refusesAPartitionOutsideTheTopic() {
        assertThatThrownBy(() -> keys.keyFor(8, 8)).isInstanceOf(IllegalArgumentException.class);
    }
}
