package dev.paperpod.agent.protocol;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/** Writes whole frames to one channel from several threads (stdout and stderr pumps, the exit reporter). */
public final class FrameWriter {

    private final WritableByteChannel channel;

    public FrameWriter(WritableByteChannel channel) {
        this.channel = channel;
    }

    public synchronized void write(byte type, byte[] payload, int offset, int length) throws IOException {
        FrameIO.write(channel, type, payload, offset, length);
    }

    public void write(byte type, byte[] payload) throws IOException {
        write(type, payload, 0, payload.length);
    }

    public void write(byte type, Fields.Writer fields) throws IOException {
        write(type, fields.toBytes());
    }
}
