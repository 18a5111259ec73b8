package dev.paperpod.store;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * PostgreSQL notifications ({@code pg_notify}) sent by a store apart from the statement that causes them (the
 * sender's wake-up for a completed batch's webhook; job saves and output notify within their own statements).
 * PostgreSQL delivers them when the transaction commits, so inside a transaction they are gathered and sent in one
 * statement just before the commit — a notification asked for twice, once — rather than a statement per call.
 * Outside a transaction they are sent at once.
 */
final class Notifications {

    private final JdbcClient jdbc;

    Notifications(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Notifies each channel with the payload at the same index. */
    void send(List<String> channels, List<String> payloads) {
        if (channels.size() != payloads.size()) {
            throw new IllegalArgumentException("a payload per channel");
        }
        if (channels.isEmpty()) {
            return;
        }
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            send(channels.toArray(String[]::new), payloads.toArray(String[]::new));
            return;
        }
        Pending pending = (Pending) TransactionSynchronizationManager.getResource(this);
        if (pending == null) {
            pending = new Pending();
            TransactionSynchronizationManager.bindResource(this, pending);
            TransactionSynchronizationManager.registerSynchronization(pending);
        }
        for (int i = 0; i < channels.size(); i++) {
            pending.notifications.add(Map.entry(channels.get(i), payloads.get(i)));
        }
    }

    private void send(String[] channels, String[] payloads) {
        jdbc.sql("select pg_notify(n.channel, n.payload) from unnest(?::text[], ?::text[]) as n(channel, payload)")
                .params(channels, payloads)
                .query()
                .listOfRows();
    }

    /** A transaction's notifications, in the order first asked for. */
    private final class Pending implements TransactionSynchronization {
        final Set<Map.Entry<String, String>> notifications = new LinkedHashSet<>();

        @Override
        public void beforeCommit(boolean readOnly) {
            send(
                    notifications.stream().map(Map.Entry::getKey).toArray(String[]::new),
                    notifications.stream().map(Map.Entry::getValue).toArray(String[]::new));
        }

        @Override
        public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(Notifications.this);
        }
    }
}
