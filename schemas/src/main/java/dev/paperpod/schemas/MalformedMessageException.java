package dev.paperpod.schemas;

/** A message that cannot be read as the type its topic promises: a poison record, never retried. */
public final class MalformedMessageException extends RuntimeException {

    public MalformedMessageException(Class<?> type, Throwable cause) {
        super("not a valid " + type.getSimpleName() + ": " + cause.getMessage(), cause);
    }
}
