package dev.paperpod.worker.jobs;

/** A record no retry can help: it goes to its topic's dead-letter topic and the partition moves on. */
public final class PoisonRecordException extends RuntimeException {
    public PoisonRecordException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }
}
