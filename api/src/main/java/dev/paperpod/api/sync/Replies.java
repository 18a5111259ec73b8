package dev.paperpod.api.sync;

import dev.paperpod.schemas.Wire;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.requestreply.KafkaReplyTimeoutException;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;

/** A request on Kafka and its reply on this instance's reply topic, read as {@code type}. */
public final class Replies {

    private Replies() {}

    /**
     * Completes with the reply, or exceptionally with {@link JobQueue.NoReplyException} when none came within
     * {@code wait} (or with why the request could not be sent).
     */
    public static <T> CompletableFuture<T> await(
            ReplyingKafkaTemplate<String, byte[], byte[]> requests,
            ProducerRecord<String, byte[]> request,
            Duration wait,
            Class<T> type) {
        return requests.sendAndReceive(request, wait)
                .thenApply(reply -> Wire.read(reply.value(), type))
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    return CompletableFuture.failedFuture(
                            cause instanceof KafkaReplyTimeoutException
                                    ? new JobQueue.NoReplyException(wait, cause)
                                    : cause);
                });
    }
}
