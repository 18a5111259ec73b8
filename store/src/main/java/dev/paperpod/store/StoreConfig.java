package dev.paperpod.store;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The store's beans, for the apps that import it (the api and the scheduler). */
@Configuration(proxyBeanMethods = false)
public class StoreConfig {

    @Bean
    JobStore jobStore(JdbcClient jdbc) {
        return new PostgresJobStore(jdbc);
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
