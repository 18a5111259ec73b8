package dev.paperpod.agent.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.jspecify.annotations.Nullable;

/**
 * Frames on a byte channel: a 4-byte big-endian payload length, a type byte, the payload.
 *
 * <p>Works on channels, not on {@code Channels.newInputStream}: those streams take the channel's blocking lock,
 * so a thread writing output would wait behind a thread waiting to read a cancel. Writes of one frame are
 * atomic with respect to each other when callers share a {@link FrameWriter}.
 */
public final class FrameIO {

    /** The largest payload either side accepts; bigger data is sent in several frames. */
    public static final int MAX_PAYLOAD = 16 * 1024 * 1024;

    private static final int HEADER = 5;

    private FrameIO() {}

    /**
     * Reads one frame.
     *
     * @return the frame, or null when the peer closed the connection cleanly between frames
     * @throws ProtocolException on a frame that is too large
     * @throws EOFException when the connection ends inside a frame
     */
    public static @Nullable Frame read(ReadableByteChannel channel) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        if (!readFully(channel, header, true)) {
            return null;
        }
        header.flip();
        int length = header.getInt();
        byte type = header.get();
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new ProtocolException("frame payload of " + length + " bytes exceeds " + MAX_PAYLOAD);
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(channel, payload, false);
        return new Frame(type, payload.array());
    }

    public static void write(WritableByteChannel channel, byte type, byte[] payload) throws IOException {
        write(channel, type, payload, 0, payload.length);
    }

    public static void write(WritableByteChannel channel, byte type, byte[] payload, int offset, int length)
            throws IOException {
        if (length > MAX_PAYLOAD) {
            throw new ProtocolException("frame payload of " + length + " bytes exceeds " + MAX_PAYLOAD);
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER).putInt(length).put(type).flip();
        ByteBuffer body = ByteBuffer.wrap(payload, offset, length);
        ByteBuffer[] buffers = {header, body};
        while (header.hasRemaining() || body.hasRemaining()) {
            if (channel instanceof GatheringByteChannel gathering) {
                gathering.write(buffers);
            } else {
                channel.write(header.hasRemaining() ? header : body);
            }
        }
    }

    private static boolean readFully(ReadableByteChannel channel, ByteBuffer buffer, boolean eofAllowedAtStart)
            throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                if (eofAllowedAtStart && buffer.position() == 0) {
                    return false;
                }
                throw new EOFException("connection closed inside a frame");
            }
        }
        return true;
    }
}
