package dev.paperpod.scheduler.outbox;

/** What the outbox relay is doing, for {@code /health}. */
public record RelayStatus(State state, String detail) {

    public enum State {
        STARTING,
        RUNNING,
        FAILED,
        STOPPED
    }
}
