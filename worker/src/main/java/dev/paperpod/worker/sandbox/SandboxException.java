package dev.paperpod.worker.sandbox;

/** A sandbox could not be created, reached or claimed: an infrastructure fault, never the user's. */
public class SandboxException extends RuntimeException {

    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
