package dev.paperpod.messaging;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.AbstractKafkaListenerContainerFactory;

/**
 * Kafka listener containers poll on platform threads, even where {@code spring.threads.virtual.enabled} gives
 * virtual ones to HTTP requests. A consumer thread lives as long as its container and spends its life in
 * {@code poll}: on a virtual thread every fetch response wakes a poller thread, which then schedules the consumer
 * on a carrier — two hand-offs per record that cost the sync path 1–2 ms per Kafka hop on two busy cores
 * (measured, docs/benchmarks.md). Imported by each app.
 */
@Configuration(proxyBeanMethods = false)
public class ListenerThreads {

    @Bean
    static BeanPostProcessor platformListenerThreads() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof AbstractKafkaListenerContainerFactory<?, ?, ?> factory) {
                    // null: each container makes its own platform threads, named after it
                    factory.getContainerProperties().setListenerTaskExecutor(null);
                }
                return bean;
            }
        };
    }
}
