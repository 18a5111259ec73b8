package dev.paperpod.agent.protocol;

/** One message: a {@link MessageType} and its payload (usually {@link Fields}, raw bytes for output). */
public record Frame(byte type, byte[] payload) {

    public Fields fields() throws ProtocolException {
        return Fields.parse(payload);
    }
}
