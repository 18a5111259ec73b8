package dev.paperpod.scheduler.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.common.utils.Utils;

/**
 * Record keys that land on a chosen partition. The outbox relay (embedded, or Debezium on Kafka Connect) produces
 * with Kafka's default partitioner, murmur2 of the key modulo the partition count, so choosing the key chooses the
 * partition — the same way whichever relay runs.
 */
final class PartitionKeys {

    private final ConcurrentMap<Long, String> keys = new ConcurrentHashMap<>();

    /** A key Kafka's default partitioner puts on {@code partition} of a topic with {@code partitions}. */
    String keyFor(int partition, int partitions) {
        if (partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("no partition " + partition + " of " + partitions);
        }
        return keys.computeIfAbsent(((long) partitions << 32) | partition, k -> search(partition, partitions));
    }

    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static String search(int partition, int partitions) {
        for (int n = 0; ; n++) {
            String key = "slot-" + partition + "-" + n;
            if (partitionOf(key, partitions) == partition) {
                return key;
            }
        }
    }
}
