package dev.paperpod.scheduler;

import dev.paperpod.messaging.TopicsConfig;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

@Configuration(proxyBeanMethods = false)
@Import(TopicsConfig.class)
class SchedulerConfig {}
