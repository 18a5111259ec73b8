package dev.paperpod.api.jobs;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.store.JobStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/** The opaque {@code cursor} of a page: where the previous page ended (creation time in microseconds, job id). */
final class PageCursor {

    private PageCursor() {}

    static String encode(JobStore.Position position) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, position.createdAt());
        String raw = micros + ":" + position.id();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    static JobStore.Position decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = raw.indexOf(':');
            long micros = Long.parseLong(raw.substring(0, colon));
            UUID id = UUID.fromString(raw.substring(colon + 1));
            return new JobStore.Position(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), id);
        } catch (RuntimeException e) {
            throw ApiException.invalidField(
                    "cursor",
                    "cursor '" + cursor + "' is not one this API gave out",
                    "pass the nextCursor of the previous page unchanged, or leave cursor out for the first page");
        }
    }
}
