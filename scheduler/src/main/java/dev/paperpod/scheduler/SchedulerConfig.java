package dev.paperpod.scheduler;

import dev.paperpod.messaging.ListenerThreads;
import dev.paperpod.messaging.TopicsConfig;
import dev.paperpod.store.StoreConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

@Configuration(proxyBeanMethods = false)
@Import({TopicsConfig.class, ListenerThreads.class, StoreConfig.class})
class SchedulerConfig {

    /** The projector's settings, by name, for its listener's annotation. */
    @Bean
    SchedulerProperties.Projector projectorSettings(SchedulerProperties properties) {
        return properties.projector();
    }

    /**
     * A batch the projector could not apply (PostgreSQL down, most likely) is delivered again, with a growing pause
     * of at most 5 s, for as long as it takes: skipping it would lose job ends. Poison records never get here: the
     * projector dead-letters them inside its transaction.
     */
    @Bean
    DefaultErrorHandler projectorErrorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(5_000);
        return new DefaultErrorHandler(backOff);
    }
}
