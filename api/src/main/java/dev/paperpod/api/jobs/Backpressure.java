package dev.paperpod.api.jobs;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.store.DispatchQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * No account piles up more waiting jobs than its limit ({@code accounts.max_queued}, else
 * {@code paperpod.api.max-queued-per-account}): past it, submissions get 429 {@code QUEUE_FULL} with a
 * {@code Retry-After} from the recent pace. Nothing waits in memory: the refused client retries.
 */
@Component
class Backpressure {

    /** The window the recent pace (jobs ended per second) is measured over. */
    private static final Duration PACE_WINDOW = Duration.ofMinutes(1);

    private final DispatchQueue queue;
    private final long maxQueuedPerAccount;
    private final Clock clock;

    Backpressure(DispatchQueue queue, ApiProperties properties, Clock clock) {
        this.queue = queue;
        this.maxQueuedPerAccount = properties.maxQueuedPerAccount();
        this.clock = clock;
    }

    /** @throws ApiException 429 when {@code incoming} more jobs would take the account past its limit */
    void admit(UUID account, int incoming) {
        long limit = queue.maxQueued(account).orElse(maxQueuedPerAccount);
        long waiting = queue.waiting(account, limit + 1); // exact up to the limit, which is all that is asked
        if (waiting + incoming <= limit) {
            return;
        }
        if (incoming > limit) {
            throw ApiException.invalidField(
                    "jobs",
                    incoming + " jobs exceed the account's limit of " + limit + " waiting jobs",
                    "split the work into batches of at most " + limit);
        }
        double pace = pace();
        long excess = waiting + incoming - limit;
        long seconds = pace <= 0 ? 10 : Math.max(1, Math.min(60, (long) Math.ceil(excess / pace)));
        throw ApiException.tooManyRequests(
                "QUEUE_FULL",
                (waiting > limit ? "the account has more than " + limit : "the account has " + waiting)
                        + " jobs waiting, its limit is " + limit,
                "retry after the Retry-After seconds, as jobs start; or send fewer at a time",
                seconds);
    }

    /** Jobs ended per second over the last minute. */
    double pace() {
        return queue.endedSince(clock.instant().minus(PACE_WINDOW)) / (double) PACE_WINDOW.toSeconds();
    }
}
