package dev.paperpod.store;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The store's beans, for the apps that import it (the api and the scheduler); each app has its {@link Clock}. */
@Configuration(proxyBeanMethods = false)
public class StoreConfig {

    @Bean
    JobStore jobStore(JdbcClient jdbc, Clock clock) {
        return new PostgresJobStore(jdbc, clock);
    }

    @Bean
    BatchStore batchStore(JdbcClient jdbc) {
        return new PostgresBatchStore(jdbc);
    }

    @Bean
    ComponentHeartbeats componentHeartbeats(JdbcClient jdbc) {
        return new PostgresComponentHeartbeats(jdbc);
    }

    @Bean
    IdempotencyStore idempotencyStore(JdbcClient jdbc) {
        return new PostgresIdempotencyStore(jdbc);
    }

    @Bean
    WebhookStore webhookStore(JdbcClient jdbc) {
        return new PostgresWebhookStore(jdbc);
    }

    @Bean
    AccountStore accountStore(JdbcClient jdbc) {
        return new PostgresAccountStore(jdbc);
    }

    @Bean
    WorkerStore workerStore(JdbcClient jdbc) {
        return new PostgresWorkerStore(jdbc);
    }

    @Bean
    SandboxStore sandboxStore(JdbcClient jdbc) {
        return new PostgresSandboxStore(jdbc);
    }

    @Bean
    BrowserSessionStore browserSessionStore(JdbcClient jdbc, PlatformTransactionManager transactions) {
        return new PostgresBrowserSessionStore(jdbc, new TransactionTemplate(transactions));
    }

    @Bean
    PreviewStore previewStore(JdbcClient jdbc) {
        return new PostgresPreviewStore(jdbc);
    }

    @Bean
    DispatchQueue dispatchQueue(JdbcClient jdbc) {
        return new PostgresDispatchQueue(jdbc);
    }

    @Bean
    Outbox outbox(JdbcClient jdbc) {
        return new PostgresOutbox(jdbc);
    }
}
