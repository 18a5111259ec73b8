package dev.paperpod.schemas.job;

import com.fasterxml.jackson.annotation.JsonValue;

/** How a job entered PaperPod: awaited by its HTTP client, or accepted durably and run in the background. */
public enum JobSource {
    /** {@code /execute} and friends: produced straight to Kafka, the client waits for the reply. */
    SYNC("sync"),
    /** {@code /v1/jobs}: written with its outbox row in one transaction, relayed by Debezium. */
    ASYNC("async");

    private final String wireName;

    JobSource(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }
}
