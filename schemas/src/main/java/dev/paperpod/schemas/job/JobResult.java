package dev.paperpod.schemas.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * What a job produced when it ran: one record per job kind, told apart by {@code type} (the kind's name) and
 * registered by its kind ({@link JobKindContract#resultType()}). A job that failed for the user's own reasons (a
 * program exiting 3, a page answering 404) has a result; only PaperPod's faults are a {@link JobError} instead.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public interface JobResult {

    /** How the run ended, in one word for the attempt's record (an exec run's verdict, e.g. {@code TIMEOUT}). */
    @JsonIgnore
    String outcome();

    /** The files the job gave, kept in the artifact store; none unless a kind's result says otherwise. */
    default List<ArtifactRef> artifacts() {
        return List.of();
    }
}
