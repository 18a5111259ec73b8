package dev.paperpod.schemas;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueInstantiator;
import tools.jackson.databind.deser.ValueInstantiators;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.deser.std.StdValueInstantiator;
import tools.jackson.databind.ext.javatime.deser.InstantDeserializer;
import tools.jackson.databind.introspect.AnnotatedConstructor;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * Two things Jackson does slowly on every message, done directly with the same result. Profiles of the async path
 * found a fifth of PaperPod's JVM time in JSON, and in it these two the largest single items:
 *
 * <ul>
 *   <li>a record (every message is one) is created through {@code MethodHandle.invokeWithArguments}, which builds a
 *       spreading adapter at each call: here the canonical constructor's spreading handle is made once per type;
 *   <li>an {@code Instant} is read through {@code DateTimeFormatter} (a map of parsed fields, then resolved): here
 *       the form {@link Instant#toString()} writes — {@code 2026-11-29T08:07:32.123456789Z}, 0–9 fraction digits,
 *       years 0000–9999 — is read directly, and anything else (offsets, numbers, errors) left to Jackson's own
 *       reader; and written through {@link Instant#toString()}, the text Jackson's writer produces too.
 * </ul>
 */
final class WireSpeed {

    private WireSpeed() {}

    static SimpleModule module() {
        SimpleModule module = new SimpleModule("paperpod-wire-speed") {
            @Override
            public void setupModule(SetupContext context) {
                super.setupModule(context);
                // a modifier of the instantiators Jackson finds, which a SimpleModule cannot register
                context.addValueInstantiators(new SpreadCreators());
            }
        };
        module.addSerializer(Instant.class, new InstantWriter());
        module.addDeserializer(Instant.class, new InstantReader());
        return module;
    }

    /** Writes an {@code Instant} as {@link Instant#toString()}. */
    static final class InstantWriter extends StdSerializer<Instant> {
        InstantWriter() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializationContext ctxt) throws JacksonException {
            gen.writeString(value.toString());
        }
    }

    /** Reads the form {@link Instant#toString()} writes directly, anything else as Jackson does. */
    static final class InstantReader extends StdDeserializer<Instant> {
        private static final ValueDeserializer<Instant> JACKSON = InstantDeserializer.INSTANT;

        InstantReader() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws JacksonException {
            if (p.hasToken(JsonToken.VALUE_STRING)) {
                Instant parsed = parse(p.getString());
                if (parsed != null) {
                    return parsed;
                }
            }
            return JACKSON.deserialize(p, ctxt);
        }
    }

    /**
     * {@code uuuu-MM-ddTHH:mm:ss[.f{1,9}]Z} as an {@code Instant}, or null when the text is not exactly that (or not
     * a valid date and time: Jackson's reader then says what is wrong with it).
     */
    static @Nullable Instant parse(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z') {
            return null;
        }
        if (s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59) {
            return null;
        }
        if (day > 28 && day > Month.of(month).length(Year.isLeap(year))) {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            int fraction = n - 21; // between '.' and 'Z'
            if (s.charAt(19) != '.' || fraction < 1) {
                return null;
            }
            nanos = digits(s, 20, n - 1);
            if (nanos < 0) {
                return null;
            }
            for (int i = fraction; i < 9; i++) {
                nanos *= 10;
            }
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay(); // a valid date: checked above
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The number written in {@code s[from, to)} in ASCII digits, or -1 if any is not one. */
    private static int digits(String s, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }

    /** Gives each public type created through a public constructor of several arguments a {@link SpreadCreator}. */
    static final class SpreadCreators extends ValueInstantiators.Base {
        @Override
        public ValueInstantiator modifyValueInstantiator(
                DeserializationConfig config, BeanDescription.Supplier beanDesc, ValueInstantiator found) {
            if (found.getClass() == StdValueInstantiator.class
                    && found.getWithArgsCreator() instanceof AnnotatedConstructor creator
                    && creator.getParameterCount() > 1) {
                MethodHandle handle = spreading(creator.getAnnotated());
                if (handle != null) {
                    return new SpreadCreator((StdValueInstantiator) found, handle);
                }
            }
            return found;
        }

        private static @Nullable MethodHandle spreading(Constructor<?> constructor) {
            if (!Modifier.isPublic(constructor.getModifiers())
                    || !Modifier.isPublic(constructor.getDeclaringClass().getModifiers())) {
                return null;
            }
            try {
                return MethodHandles.publicLookup()
                        .unreflectConstructor(constructor)
                        .asSpreader(Object[].class, constructor.getParameterCount())
                        .asType(MethodType.methodType(Object.class, Object[].class));
            } catch (IllegalAccessException | IllegalArgumentException e) {
                return null; // Jackson's own way then
            }
        }
    }

    /** Jackson's instantiator, calling the constructor through a spreading handle made once. */
    static final class SpreadCreator extends StdValueInstantiator {
        private final MethodHandle creator;

        SpreadCreator(StdValueInstantiator src, MethodHandle creator) {
            super(src);
            this.creator = creator;
        }

        @Override
        public Object createFromObjectWith(DeserializationContext ctxt, Object[] args) throws JacksonException {
            try {
                return (Object) creator.invokeExact(args);
            } catch (Throwable e) {
                if (e instanceof Error error) {
                    throw error;
                }
                return ctxt.handleInstantiationProblem(getValueClass(), args, rewrapCtorProblem(ctxt, e));
            }
        }
    }
}
