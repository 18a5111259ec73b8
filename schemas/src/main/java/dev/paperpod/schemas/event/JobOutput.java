package dev.paperpod.schemas.event;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.UUID;

/**
 * A chunk of a running job's output, as it came. {@code seq} counts the chunks of one attempt from 0, so a
 * reader can order them and spot a gap.
 */
public record JobOutput(UUID eventId, UUID jobId, Instant at, int attempt, long seq, Stream stream, String data)
        implements JobEvent {

    public enum Stream {
        STDOUT("stdout"),
        STDERR("stderr");

        private final String wireName;

        Stream(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }
    }
}
