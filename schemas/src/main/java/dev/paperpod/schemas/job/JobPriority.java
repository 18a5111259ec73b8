package dev.paperpod.schemas.job;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** Which waiting jobs go first. Within a priority, accounts take turns; within an account, the oldest goes first. */
public enum JobPriority {
    HIGH("high"),
    NORMAL("normal"),
    LOW("low");

    private final String wireName;

    JobPriority(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** 0 for the first to go: the order the dispatcher sorts by. */
    public int rank() {
        return ordinal();
    }

    public static JobPriority ofRank(int rank) {
        return values()[rank];
    }

    public static Optional<JobPriority> fromWireName(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst();
    }

    public static String wireNames() {
        return String.join(
                ", ", Arrays.stream(values()).map(JobPriority::wireName).toList());
    }
}
