package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/** {@link DispatchQueueContract} on PostgreSQL, and its dispatch lock: an advisory lock held by one round at a time. */
class PostgresDispatchQueueIT extends DispatchQueueContract {

    @Override
    protected Stores stores() {
        return PostgresStores.STORES;
    }

    @Override
    protected void emptyQueue() {
        PostgresStores.reset();
    }

    @Override
    protected UUID account(@Nullable Integer maxConcurrency) {
        UUID id = UUID.randomUUID();
        PostgresStores.JDBC
                .sql("insert into accounts (id, name, max_concurrency) values (?, 'a', ?)")
                .params(id, maxConcurrency)
                .update();
        return id;
    }

    @Test
    void aRoundTakesTheDispatchLockWhichOneRoundHoldsAtATime() {
        // another scheduler: its own connections (the data source is the key of a transaction's connection)
        DispatchQueue other = new PostgresDispatchQueue(JdbcClient.create(
                new DelegatingDataSource(PostgresStores.server().dataSource())));

        stores.tx().executeWithoutResult(s -> {
            assertThat(queue.room(now).locked()).isTrue();
            assertThat(other.room(now).locked())
                    .as("held by the round in progress")
                    .isFalse();
        });

        assertThat(other.room(now).locked()).as("released with its transaction").isTrue();
    }
}
