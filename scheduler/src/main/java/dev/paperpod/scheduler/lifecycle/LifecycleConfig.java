package dev.paperpod.scheduler.lifecycle;

import dev.paperpod.scheduler.SchedulerProperties;
import java.util.random.RandomGenerator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class LifecycleConfig {

    @Bean
    RetryPolicy retryPolicy(SchedulerProperties properties) {
        SchedulerProperties.Lifecycle lifecycle = properties.lifecycle();
        return new RetryPolicy(lifecycle.retryBackoff(), lifecycle.maxRetryBackoff(), RandomGenerator.getDefault());
    }

    @Bean
    JobDecisions jobDecisions(RetryPolicy retries) {
        return new JobDecisions(retries);
    }
}
