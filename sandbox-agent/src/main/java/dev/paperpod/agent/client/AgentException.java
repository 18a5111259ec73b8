package dev.paperpod.agent.client;

import java.io.IOException;

/** The agent answered a request with an error. */
public final class AgentException extends IOException {

    private final String code;

    public AgentException(String code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    /** e.g. {@code SPAWN_FAILED}, {@code BAD_CWD}, {@code BAD_FRAME}. */
    public String code() {
        return code;
    }
}
