package dev.paperpod.agent.protocol;

import java.io.IOException;

/** Bytes that are not a valid frame or field list. */
public final class ProtocolException extends IOException {

    public ProtocolException(String message) {
        super(message);
    }
}
