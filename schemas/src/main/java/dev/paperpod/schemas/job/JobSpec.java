package dev.paperpod.schemas.job;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a job is asked to do. One polymorphic spec per job kind, told apart by {@code type}; browser, ai and
 * document specs join this sealed family as their kinds arrive.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = ExecSpec.class, name = "exec")})
public sealed interface JobSpec permits ExecSpec {

    JobKind kind();

    /** The wall-clock limit the worker enforces, in milliseconds. */
    long timeoutMs();
}
