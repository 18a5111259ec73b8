package dev.paperpod.schemas.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/**
 * What a job does, by its wire name ({@code exec}). Each kind registers its contract ({@link JobKindContract}: its
 * spec and result), and in the apps its request parsing (api) and its runner (worker); its queue topics are named
 * after it ({@code paperpod.jobs.<kind>}). The queue, dispatcher, projector and state machine treat every kind alike.
 *
 * @param wireName lower-case letters, digits and dashes, starting with a letter
 */
public record JobKind(String wireName) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /** Runs code in a sandbox. */
    public static final JobKind EXEC = new JobKind("exec");

    public JobKind {
        if (wireName == null || !NAME.matcher(wireName).matches()) {
            throw new IllegalArgumentException(
                    "a job kind's name is 1 to 32 lower-case letters, digits and dashes, not '" + wireName + "'");
        }
    }

    @JsonCreator
    public static JobKind of(String wireName) {
        return new JobKind(wireName);
    }

    @Override
    @JsonValue
    public String wireName() {
        return wireName;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
