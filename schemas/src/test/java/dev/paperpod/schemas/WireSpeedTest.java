package dev.paperpod.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** {@link WireSpeed} reads and writes exactly what Jackson alone does, only sooner. */
class WireSpeedTest {

    /** Wire's settings without the module: the reference. */
    private static final JsonMapper JACKSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .changeDefaultPropertyInclusion(incl -> incl.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    public record Stamped(String name, Instant at, List<Instant> more) {}

    /** Notes who called its constructor. */
    public record Probe(String a, String b) {
        static final ThreadLocal<List<String>> CALLERS = new ThreadLocal<>();

        public Probe {
            CALLERS.set(StackWalker.getInstance()
                    .walk(frames -> frames.map(f -> f.getClassName() + "." + f.getMethodName())
                            .toList()));
        }
    }

    public record Checked(String a, int n) {
        public Checked {
            if (n < 0) {
                throw new IllegalArgumentException("n must not be negative");
            }
        }
    }

    @Test
    void instantsInTheirOwnFormAreReadAndWrittenAsJacksonDoes() {
        Random random = new Random(42);
        List<Instant> instants = new ArrayList<>(List.of(
                Instant.EPOCH,
                Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("2024-02-29T12:00:00.5Z"),
                Instant.parse("1969-12-31T23:59:59.000000001Z")));
        long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 5_000; i++) {
            Instant at = Instant.ofEpochSecond(
                    min + (long) (random.nextDouble() * (max - min)), random.nextInt(1_000_000_000));
            // Instant.toString writes 0, 3, 6 or 9 fraction digits
            instants.add(
                    switch (i % 4) {
                        case 0 -> at.truncatedTo(ChronoUnit.SECONDS);
                        case 1 -> at.truncatedTo(ChronoUnit.MILLIS);
                        case 2 -> at.truncatedTo(ChronoUnit.MICROS);
                        default -> at;
                    });
        }
        for (Instant at : instants) {
            String json = JACKSON.writeValueAsString(at);
            assertThat(Wire.writeString(at)).isEqualTo(json);
            assertThat(Wire.read(json, Instant.class)).isEqualTo(at);
        }
    }

    @Test
    void everyNumberOfFractionDigitsIsRead() {
        String digits = "123456789";
        for (int n = 1; n <= 9; n++) {
            String text = "2026-11-29T08:07:32." + digits.substring(0, n) + "Z";
            assertThat(WireSpeed.parse(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void otherFormsAreLeftToJackson() {
        for (String json :
                List.of("\"2026-11-29T09:07:32+01:00\"", "\"+10000-01-01T00:00:00Z\"", "1764403652", "1764403652.5")) {
            assertThat(WireSpeed.parse(json.replace("\"", ""))).as(json).isNull();
            assertThat(Wire.read(json, Instant.class)).as(json).isEqualTo(JACKSON.readValue(json, Instant.class));
        }
    }

    @Test
    void textsNotQuiteInTheFormAreReadOrRefusedAsJacksonDoes() {
        for (String text : List.of(
                "2026-11-29T24:00:00Z",
                "2026-11-29T23:59:60.5Z",
                "2026-11-29t08:07:32z",
                "2026-11-29T08:07:32.1234567891Z",
                "2026-02-29T00:00:00Z",
                "2026-13-01T00:00:00Z",
                "2026-04-31T00:00:00Z",
                "2026-11-29T23:60:00Z",
                "2026-11-29T23:59:59.Z",
                "2026-11-29 23:59:59Z",
                "2026-1a-29T23:59:59Z",
                "yesterday")) {
            assertThat(WireSpeed.parse(text)).as(text).isNull();
            String json = "\"" + text + "\"";
            assertThat(outcome(() -> Wire.read(json, Instant.class)))
                    .as(text)
                    .isEqualTo(outcome(() -> JACKSON.readValue(json, Instant.class)));
        }
        for (String text : List.of("2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "yesterday")) {
            assertThatThrownBy(() -> Wire.read("\"" + text + "\"", Instant.class))
                    .as(text)
                    .isInstanceOf(MalformedMessageException.class);
        }
    }

    /** The value read, or "refused". */
    private static Object outcome(java.util.function.Supplier<Instant> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            return "refused";
        }
    }

    @Test
    void instantsInsideRecordsAndListsGoTheSameWay() {
        Stamped stamped = new Stamped(
                "x",
                Instant.parse("2026-11-29T08:07:32.123456789Z"),
                List.of(Instant.parse("2026-11-29T08:07:32Z"), Instant.parse("2026-11-29T08:07:32.120Z")));
        String json = Wire.writeString(stamped);
        assertThat(json).isEqualTo(JACKSON.writeValueAsString(stamped));
        assertThat(Wire.read(json, Stamped.class)).isEqualTo(stamped);
    }

    @Test
    void recordsAreCreatedThroughAHandleMadeOnceNotJacksonsSpreadingCall() {
        Probe probe = Wire.read("{\"a\":\"1\",\"b\":\"2\"}", Probe.class);
        List<String> callers = Probe.CALLERS.get();
        assertThat(probe).isEqualTo(new Probe("1", "2"));
        assertThat(callers)
                .contains(WireSpeed.SpreadCreator.class.getName() + ".createFromObjectWith")
                .doesNotContain("java.lang.invoke.MethodHandle.invokeWithArguments");
    }

    @Test
    void aConstructorThatRefusesItsArgumentsFailsTheReadAsBefore() {
        String json = "{\"a\":\"x\",\"n\":-1}";
        assertThatThrownBy(() -> JACKSON.readValue(json, Checked.class)).hasMessageContaining("n must not be negative");
        assertThatThrownBy(() -> Wire.read(json, Checked.class))
                .isInstanceOf(MalformedMessageException.class)
                .hasMessageContaining("n must not be negative");
        assertThat(Wire.read("{\"a\":\"x\",\"n\":3}", Checked.class)).isEqualTo(new Checked("x", 3));
    }
}
