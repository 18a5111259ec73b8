package dev.paperpod.schemas.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a job is asked to do: one record per job kind, told apart by {@code type} (the kind's name). The records are
 * registered by their kinds ({@link JobKindContract#specType()}), not listed here, so a kind is added without touching
 * this family.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public interface JobSpec {

    @JsonIgnore
    JobKind kind();

    /** The wall-clock limit the worker enforces, in milliseconds; the scheduler's sweeper enforces it again. */
    long timeoutMs();
}
