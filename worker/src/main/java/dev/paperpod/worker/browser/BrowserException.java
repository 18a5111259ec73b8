package dev.paperpod.worker.browser;

/** A browser could not be made, reached or kept. */
public class BrowserException extends RuntimeException {

    public BrowserException(String message) {
        super(message);
    }

    public BrowserException(String message, Throwable cause) {
        super(message, cause);
    }
}
