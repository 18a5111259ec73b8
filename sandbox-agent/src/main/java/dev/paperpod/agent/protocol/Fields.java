package dev.paperpod.agent.protocol;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A frame's fields: a sequence of {@code tag (1 byte) | kind (1 byte) | value}. Values are a long (8 bytes), a
 * boolean (1 byte), or length-prefixed bytes, a UTF-8 string, a string list or a string map (4-byte big-endian
 * counts). A reader skips tags it does not know, so either side can add fields without breaking the other.
 */
public final class Fields {

    private static final byte LONG = 1;
    private static final byte BYTES = 2;
    private static final byte STRING = 3;
    private static final byte STRINGS = 4;
    private static final byte MAP = 5;
    private static final byte BOOL = 6;

    private final Map<Integer, Object> values;

    private Fields(Map<Integer, Object> values) {
        this.values = values;
    }

    public static Writer writer() {
        return new Writer();
    }

    public static Fields parse(byte[] payload) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(payload);
        Map<Integer, Object> values = new HashMap<>();
        try {
            while (in.hasRemaining()) {
                int tag = in.get() & 0xff;
                byte kind = in.get();
                Object value = switch (kind) {
                    case LONG -> in.getLong();
                    case BOOL -> in.get() != 0;
                    case BYTES -> bytes(in);
                    case STRING -> string(in);
                    case STRINGS -> {
                        int n = count(in);
                        List<String> list = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            list.add(string(in));
                        }
                        yield List.copyOf(list);
                    }
                    case MAP -> {
                        int n = count(in);
                        Map<String, String> map = new LinkedHashMap<>();
                        for (int i = 0; i < n; i++) {
                            map.put(string(in), string(in));
                        }
                        yield map;
                    }
                    default -> throw new ProtocolException("unknown field kind " + kind + " for tag " + tag);
                };
                values.put(tag, value);
            }
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("fields end in the middle of a value");
        }
        return new Fields(values);
    }

    public boolean has(int tag) {
        return values.containsKey(tag);
    }

    public long getLong(int tag, long absent) throws ProtocolException {
        return get(tag, Long.class, absent);
    }

    public boolean getBool(int tag, boolean absent) throws ProtocolException {
        return get(tag, Boolean.class, absent);
    }

    public @Nullable String getString(int tag) throws ProtocolException {
        return get(tag, String.class, null);
    }

    public byte @Nullable [] getBytes(int tag) throws ProtocolException {
        return get(tag, byte[].class, null);
    }

    @SuppressWarnings("unchecked")
    public List<String> getStrings(int tag) throws ProtocolException {
        return get(tag, List.class, List.of());
    }

    @SuppressWarnings("unchecked")
    public Map<String, String> getMap(int tag) throws ProtocolException {
        return get(tag, Map.class, Map.of());
    }

    @SuppressWarnings("unchecked")
    private <T> T get(int tag, Class<T> type, T absent) throws ProtocolException {
        Object value = values.get(tag);
        if (value == null) {
            return absent;
        }
        if (!type.isInstance(value)) {
            throw new ProtocolException("field " + tag + " is a "
                    + value.getClass().getSimpleName() + ", expected " + type.getSimpleName());
        }
        return (T) value;
    }

    private static int count(ByteBuffer in) throws ProtocolException {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new ProtocolException("length " + n + " exceeds the " + in.remaining() + " bytes left");
        }
        return n;
    }

    private static byte[] bytes(ByteBuffer in) throws ProtocolException {
        byte[] b = new byte[count(in)];
        in.get(b);
        return b;
    }

    private static String string(ByteBuffer in) throws ProtocolException {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }

    /** Builds a field list. */
    public static final class Writer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);

        private Writer() {}

        public Writer putLong(int tag, long value) {
            return put(tag, LONG, () -> out.writeLong(value));
        }

        public Writer putBool(int tag, boolean value) {
            return put(tag, BOOL, () -> out.writeByte(value ? 1 : 0));
        }

        public Writer putBytes(int tag, byte[] value) {
            return put(tag, BYTES, () -> writeBytes(value));
        }

        public Writer putString(int tag, String value) {
            return put(tag, STRING, () -> writeBytes(value.getBytes(StandardCharsets.UTF_8)));
        }

        public Writer putStrings(int tag, List<String> value) {
            return put(tag, STRINGS, () -> {
                out.writeInt(value.size());
                for (String s : value) {
                    writeBytes(s.getBytes(StandardCharsets.UTF_8));
                }
            });
        }

        public Writer putMap(int tag, Map<String, String> value) {
            return put(tag, MAP, () -> {
                out.writeInt(value.size());
                for (Map.Entry<String, String> e : value.entrySet()) {
                    writeBytes(e.getKey().getBytes(StandardCharsets.UTF_8));
                    writeBytes(e.getValue().getBytes(StandardCharsets.UTF_8));
                }
            });
        }

        public byte[] toBytes() {
            return bytes.toByteArray();
        }

        private void writeBytes(byte[] b) throws IOException {
            out.writeInt(b.length);
            out.write(b);
        }

        private Writer put(int tag, byte kind, IoAction value) {
            if (tag < 0 || tag > 255) {
                throw new IllegalArgumentException("tag " + tag + " does not fit in a byte");
            }
            try {
                out.writeByte(tag);
                out.writeByte(kind);
                value.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
            }
            return this;
        }

        private interface IoAction {
            void run() throws IOException;
        }
    }
}
