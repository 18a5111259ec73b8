package dev.paperpod.api.sandbox;

import dev.paperpod.api.sync.Replies;
import dev.paperpod.schemas.Topics;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.sandbox.SandboxCommand;
import dev.paperpod.schemas.sandbox.SandboxReply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;
import org.springframework.stereotype.Component;

/** Sandbox commands on the hosting worker's topic ({@code paperpod.sandbox.<worker>}), replies on this instance's. */
@Component
class KafkaSandboxChannel implements SandboxChannel {

    private final ReplyingKafkaTemplate<String, byte[], byte[]> requests;

    KafkaSandboxChannel(ReplyingKafkaTemplate<String, byte[], byte[]> requests) {
        this.requests = requests;
    }

    @Override
    public CompletableFuture<SandboxReply> send(String workerId, SandboxCommand command, Duration wait) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(
                Topics.sandbox(workerId), command.commandId().toString(), Wire.write(command));
        record.headers().add(Topics.SANDBOX_RECORD_HEADER, Topics.SANDBOX_COMMAND.getBytes(StandardCharsets.UTF_8));
        return Replies.await(requests, record, wait, SandboxReply.class);
    }
}
