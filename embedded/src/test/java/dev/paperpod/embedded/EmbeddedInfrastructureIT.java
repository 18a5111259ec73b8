package dev.paperpod.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedInfrastructureIT {

    @TempDir
    Path home;

    @Test
    void postgresRunsWithLogicalDecodingAndKeepsItsDataAcrossACrash() throws Exception {
        try (PostgresServer pg = PostgresServer.start(home.resolve("pg"), 0, "paperpod")) {
            assertThat(query(pg, "show wal_level")).isEqualTo("logical");
            assertThat(query(pg, "show wal_writer_delay")).isEqualTo("10ms");
            assertThat(query(pg, "show autovacuum_naptime")).isEqualTo("5s");
            execute(pg, "create table kept (v text); insert into kept values ('survives')");

            pg.kill();
            pg.start();

            assertThat(query(pg, "select v from kept")).isEqualTo("survives");
        }
    }

    @Test
    void kafkaServesRecordsAndKeepsThemAcrossACrash() throws Exception {
        try (KafkaServer kafka = KafkaServer.start(home.resolve("kafka"), 0)) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("t", 1, (short) 1)))
                        .all()
                        .get();
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            kafka.bootstrapServers(),
                            ProducerConfig.ACKS_CONFIG,
                            "all"),
                    new StringSerializer(),
                    new StringSerializer())) {
                producer.send(new ProducerRecord<>("t", "k", "before the crash"))
                        .get();
            }

            kafka.kill();
            assertThat(kafka.isRunning()).isFalse();
            kafka.start();

            assertThat(readAll(kafka, "t")).containsExactly("before the crash");
        }
    }

    private static List<String> readAll(KafkaServer kafka, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    return records.records(topic).iterator().hasNext()
                            ? java.util.stream.StreamSupport.stream(
                                            records.records(topic).spliterator(), false)
                                    .map(r -> r.value())
                                    .toList()
                            : List.of();
                }
            }
            return List.of();
        }
    }

    private static String query(PostgresServer pg, String sql) throws Exception {
        try (Connection c = pg.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void execute(PostgresServer pg, String sql) throws Exception {
        try (Connection c = pg.dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
