package dev.paperpod.scheduler;

import dev.paperpod.messaging.ListenerThreads;
import dev.paperpod.messaging.TopicsConfig;
import dev.paperpod.store.StoreConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
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
     * The projector commits its offsets without waiting for the broker's answer. Its transaction has committed by
     * then and records every event id with the event's effect, so a commit that never lands (a crash, a rebalance)
     * only delivers again events that then change nothing; waiting held up the projector's next batch — and the
     * slots of the jobs in it, in flight until projected — by a broker round trip per batch.
     */
    @Bean
    ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> projectorCommitsAsync() {
        return container -> {
            if ("paperpod-projector".equals(container.getGroupId())) {
                container.getContainerProperties().setSyncCommits(false);
            }
        };
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
