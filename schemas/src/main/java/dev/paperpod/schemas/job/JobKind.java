package dev.paperpod.schemas.job;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a job does; each kind has its own queue topic and runner. Browser, ai and document kinds come next. */
public enum JobKind {
    EXEC("exec");

    private final String wireName;

    JobKind(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }
}
