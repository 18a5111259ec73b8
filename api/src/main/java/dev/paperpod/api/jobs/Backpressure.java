package dev.paperpod.api.jobs;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.store.DispatchQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * No account piles up more waiting jobs than its limit ({@code accounts.max_queued}, else
 * {@code paperpod.api.max-queued-per-account}): past it, submissions get 429 {@code QUEUE_FULL} with a
 * {@code Retry-After} from the recent pace. Nothing waits in memory: the refused client retries.
 *
 * <p>Counting an account's waiting jobs costs in proportion to them (6 ms of PostgreSQL with 1,700 waiting), so a
 * submission is admitted without counting while the last count, at most {@link #RECOUNT} old, plus what this api
 * admitted since stays within half the limit. With one api instance the limit holds exactly; with several, each
 * may admit up to half the limit on a count another's admissions have outdated, for at most {@link #RECOUNT}.
 */
@Component
class Backpressure {

    /** The window the recent pace (jobs ended per second) is measured over. */
    private static final Duration PACE_WINDOW = Duration.ofMinutes(1);

    /** How long a count of an account's waiting jobs stands in for a new one. */
    static final Duration RECOUNT = Duration.ofMillis(250);

    /** Counts kept before the stale ones are dropped. */
    static final int MAX_COUNTS = 10_000;

    /** Per account: its waiting jobs when last counted, and what was admitted since. */
    private final Map<UUID, Count> counts = new ConcurrentHashMap<>();

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
        Instant now = clock.instant();
        Count last = counts.get(account);
        if (last != null && last.admitWithin(incoming, limit / 2, now.minus(RECOUNT))) {
            return;
        }
        long waiting = queue.waiting(account, limit + 1); // exact up to the limit, which is all that is asked
        if (waiting + incoming <= limit) {
            if (counts.size() >= MAX_COUNTS) {
                counts.values().removeIf(c -> c.countedAt.isBefore(now.minus(RECOUNT))); // stale ones say nothing
            }
            counts.put(account, new Count(waiting + incoming, now));
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

    /** A count of an account's waiting jobs, and the jobs admitted on it since. */
    private static final class Count {
        private final Instant countedAt;
        private final AtomicLong waiting;

        Count(long waiting, Instant countedAt) {
            this.waiting = new AtomicLong(waiting);
            this.countedAt = countedAt;
        }

        /** Admits {@code incoming} if the count is no older than {@code since} and stays within {@code bound}. */
        boolean admitWithin(int incoming, long bound, Instant since) {
            if (countedAt.isBefore(since)) {
                return false;
            }
            long after = waiting.addAndGet(incoming);
            if (after <= bound) {
                return true;
            }
            waiting.addAndGet(-incoming);
            return false;
        }
    }

    /** How many accounts' counts are kept (for tests). */
    int countsKept() {
        return counts.size();
    }

    /** Jobs ended per second over the last minute. */
    double pace() {
        return queue.endedSince(clock.instant().minus(PACE_WINDOW)) / (double) PACE_WINDOW.toSeconds();
    }
}
