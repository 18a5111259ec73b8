package dev.paperpod.api.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.http.ExecRequest;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.Language;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class ExecRequestValidatorTest {

    private final ExecRequestValidator validator = new ExecRequestValidator(new ApiProperties(
            "api-test",
            Duration.ofSeconds(30),
            Duration.ofMinutes(10),
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            DataSize.ofMegabytes(1),
            null,
            Duration.ofSeconds(10),
            20_000,
            DataSize.ofMegabytes(64)));

    @Test
    void appliesTheDefaultTimeoutAndKeepsEverythingElse() {
        ExecSpec spec = validator.toSpec(
                new ExecRequest("print(1)", "python", null, Map.of("A", "1"), "in", null, null, null, null));

        assertThat(spec)
                .isEqualTo(new ExecSpec(Language.PYTHON, "print(1)", 30_000, Map.of("A", "1"), "in", Egress.NONE));
    }

    @Test
    void namesTheFieldAtFault() {
        assertField(new ExecRequest(null, "python", null, null, null, null, null, null, null), "code");
        assertField(new ExecRequest("\n ", "python", null, null, null, null, null, null, null), "code");
        assertField(new ExecRequest("x", null, null, null, null, null, null, null, null), "language");
        assertField(new ExecRequest("x", "Python", null, null, null, null, null, null, null), "language");
        assertField(new ExecRequest("x", "python", 0L, null, null, null, null, null, null), "timeoutMs");
        assertField(new ExecRequest("x", "python", 600_001L, null, null, null, null, null, null), "timeoutMs");
        assertField(new ExecRequest("x", "python", null, Map.of("A-B", "1"), null, null, null, null, null), "env.A-B");
        assertField(new ExecRequest("x", "python", null, null, null, "internet", null, null, null), "network");
    }

    @Test
    void acceptsTheLargestTimeout() {
        assertThat(validator
                        .toSpec(new ExecRequest("x", "shell", 600_000L, null, null, null, null, null, null))
                        .timeoutMs())
                .isEqualTo(600_000);
    }

    @Test
    void attemptsDefaultToThreeForBackgroundJobsAndAreCheckedByRange() {
        ExecRequest plain = new ExecRequest("x", "shell", null, null, null, null, null, null, null);
        assertThat(validator.maxAttempts(plain, true)).isEqualTo(3);
        assertThat(validator.maxAttempts(plain, false)).isEqualTo(1);
        assertThat(validator.maxAttempts(new ExecRequest("x", "shell", null, null, null, null, 5, null, null), true))
                .isEqualTo(5);
        for (int wrong : new int[] {0, 11}) {
            ExecRequest request = new ExecRequest("x", "shell", null, null, null, null, wrong, null, null);
            assertInvalid(() -> validator.maxAttempts(request, true), "maxAttempts");
        }
        ExecRequest sync = new ExecRequest("x", "shell", null, null, null, null, 2, null, null);
        assertInvalid(() -> validator.maxAttempts(sync, false), "maxAttempts");
    }

    @Test
    void schedulesBackgroundJobsByPriorityAndStartTime() {
        java.time.Instant now = java.time.Instant.parse("2026-11-28T12:00:00Z");
        var plain =
                validator.schedule(new ExecRequest("x", "shell", null, null, null, null, null, null, null), true, now);
        assertThat(plain.priority()).isEqualTo(dev.paperpod.schemas.job.JobPriority.NORMAL);
        assertThat(plain.runAt()).isNull();
        var later = validator.schedule(
                new ExecRequest("x", "shell", null, null, null, null, null, "high", "2026-11-28T12:05:00Z"), true, now);
        assertThat(later.priority()).isEqualTo(dev.paperpod.schemas.job.JobPriority.HIGH);
        assertThat(later.runAt()).isEqualTo(now.plusSeconds(300));
        assertThat(validator
                        .schedule(
                                new ExecRequest(
                                        "x", "shell", null, null, null, null, null, null, "2026-11-27T00:00:00Z"),
                                true,
                                now)
                        .runAt())
                .as("a start time in the past means now")
                .isNull();
        assertInvalid(
                () -> validator.schedule(
                        new ExecRequest("x", "shell", null, null, null, null, null, "urgent", null), true, now),
                "priority");
        assertInvalid(
                () -> validator.schedule(
                        new ExecRequest("x", "shell", null, null, null, null, null, null, "tomorrow"), true, now),
                "runAt");
        assertInvalid(
                () -> validator.schedule(
                        new ExecRequest("x", "shell", null, null, null, null, null, null, "2027-01-28T12:00:00Z"),
                        true,
                        now),
                "runAt");
        assertInvalid(
                () -> validator.schedule(
                        new ExecRequest("x", "shell", null, null, null, null, null, "low", null), false, now),
                "priority");
    }

    private void assertField(ExecRequest request, String field) {
        assertInvalid(() -> validator.toSpec(request), field);
    }

    private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.body().error().field()).isEqualTo(field);
            assertThat(e.body().error().code()).isEqualTo("INVALID_FIELD");
            assertThat(e.body().error().hint()).isNotBlank();
            assertThat(e.status().value()).isEqualTo(400);
        });
    }
}
