package dev.paperpod.scheduler;

import dev.paperpod.messaging.TopicsConfig;
import dev.paperpod.store.StoreConfig;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

@Configuration(proxyBeanMethods = false)
@Import({TopicsConfig.class, StoreConfig.class})
class SchedulerConfig {}
