package dev.paperpod.api.browser;

import dev.paperpod.api.web.Periodic;
import dev.paperpod.store.BrowserSessionStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The sessions this api instance holds a client's connection to ({@code connect}): while one is connected its
 * session is in use, so its record is kept from idling out (the worker keeps its browser at the same rule), at least
 * twice per idle timeout and every {@value #MOST_APART_SECONDS} s at most apart. Each instance keeps its own
 * connections' sessions; when it dies, they idle out as any other.
 */
@Component
class ConnectedSessions extends Periodic {

    private static final Logger log = LoggerFactory.getLogger(ConnectedSessions.class);
    private static final long MOST_APART_SECONDS = 10;

    private final BrowserSessionStore store;
    private final Clock clock;
    private final Map<String, Held> held = new ConcurrentHashMap<>();

    /** A connected session: how many connections, and when its use was last recorded. */
    private static final class Held {
        final Duration every;
        int connections; // changed only in the map's compute
        volatile Instant recorded;

        Held(Duration idleTimeout, Instant now) {
            Duration half = idleTimeout.dividedBy(2);
            this.every = half.compareTo(Duration.ofSeconds(MOST_APART_SECONDS)) < 0
                    ? half
                    : Duration.ofSeconds(MOST_APART_SECONDS);
            this.recorded = now;
        }
    }

    ConnectedSessions(BrowserSessionStore store, Clock clock) {
        super("browser-connections", Duration.ofMillis(500));
        this.store = store;
        this.clock = clock;
    }

    /** A connection to the session began; the answer ends it (its end is a use too, from which idle time counts). */
    Runnable connected(BrowserSessionStore.Session session) {
        Instant now = clock.instant();
        store.used(session.sessionId(), now);
        held.compute(session.sessionId(), (id, h) -> {
            Held it = h == null ? new Held(session.idleTimeout(), now) : h;
            it.connections++;
            return it;
        });
        return () -> {
            held.computeIfPresent(session.sessionId(), (id, h) -> --h.connections == 0 ? null : h);
            store.used(session.sessionId(), clock.instant());
        };
    }

    /** Records a use of each connected session whose last is {@code every} old. */
    @Override
    protected void tick() {
        Instant now = clock.instant();
        held.forEach((id, h) -> {
            if (!now.isBefore(h.recorded.plus(h.every))) {
                try {
                    store.used(id, now);
                    h.recorded = now;
                } catch (RuntimeException e) {
                    log.warn("Recording the use of connected session {}: {}", id, e.toString());
                }
            }
        });
    }
}
