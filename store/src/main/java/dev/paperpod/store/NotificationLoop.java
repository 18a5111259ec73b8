package dev.paperpod.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread that LISTENs on PostgreSQL channels and runs a round of work at start, at every notification and at
 * least every {@code interval}; it reconnects (after a second) when the connection is lost, and says so, since
 * notifications may have been missed meanwhile.
 */
public final class NotificationLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NotificationLoop.class);

    private final DataSource dataSource;
    private final List<String> channels;
    private final Duration interval;
    private final Consumer<List<String>> round;
    private final Runnable reconnected;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param round given the payloads of the notifications that woke it (empty after a quiet interval); its own
     *     exceptions are logged, and the next round comes as usual
     * @param reconnected runs after every (re)connection, before the first round
     */
    public NotificationLoop(
            String name,
            DataSource dataSource,
            List<String> channels,
            Duration interval,
            Consumer<List<String>> round,
            Runnable reconnected) {
        this.dataSource = dataSource;
        this.channels = List.copyOf(channels);
        this.interval = interval;
        this.round = round;
        this.reconnected = reconnected;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
    }

    public NotificationLoop start() {
        thread.start();
        return this;
    }

    private void loop() {
        int waitMs = (int) Math.max(1, interval.toMillis());
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                try (Statement s = connection.createStatement()) {
                    for (String channel : channels) {
                        s.execute("LISTEN " + channel);
                    }
                }
                reconnected.run();
                PGConnection pg = connection.unwrap(PGConnection.class);
                List<String> payloads = List.of();
                while (running) {
                    runRound(payloads);
                    payloads = payloads(pg.getNotifications(waitMs));
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("{} lost PostgreSQL, reconnecting: {}", thread.getName(), e.toString());
                    LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
                }
            }
        }
    }

    private void runRound(List<String> payloads) {
        try {
            round.accept(payloads);
        } catch (RuntimeException e) {
            log.warn("{} failed a round; trying again: {}", thread.getName(), e.toString());
        }
    }

    private static List<String> payloads(PGNotification @Nullable [] notifications) {
        if (notifications == null) {
            return List.of();
        }
        List<String> payloads = new ArrayList<>(notifications.length);
        for (PGNotification n : notifications) {
            payloads.add(n.getParameter());
        }
        return payloads;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
