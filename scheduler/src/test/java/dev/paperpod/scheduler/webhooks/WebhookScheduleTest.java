package dev.paperpod.scheduler.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.scheduler.SchedulerProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class WebhookScheduleTest {

    @Test
    void theDefaultScheduleIsStandardWebhooksOwn() {
        SchedulerProperties properties = new Binder(new MapConfigurationPropertySource(
                        Map.of("paperpod.scheduler.outbox.offset-dir", "/tmp/offsets")))
                .bind("paperpod.scheduler", SchedulerProperties.class)
                .get();

        assertThat(properties.webhooks().retrySchedule())
                .containsExactly(
                        Duration.ZERO,
                        Duration.ofSeconds(5),
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(30),
                        Duration.ofHours(2),
                        Duration.ofHours(5),
                        Duration.ofHours(10),
                        Duration.ofHours(10));
        assertThat(properties.webhooks().timeout()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-11-28T12:00:00Z");
        assertThat(WebhookSender.retryAfter("120", now)).isEqualTo(Duration.ofMinutes(2));
        assertThat(WebhookSender.retryAfter("Sat, 28 Nov 2026 12:00:30 GMT", now))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(WebhookSender.retryAfter("soon", now)).isZero();
        assertThat(WebhookSender.retryAfter(null, now)).isZero();
    }
}
