package dev.paperpod.api.health;

import org.apache.kafka.clients.admin.Admin;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

@Configuration(proxyBeanMethods = false)
class AdminConfig {

    /** A long-lived admin client for health checks; Spring's {@link KafkaAdmin} creates one per call. */
    @Bean(destroyMethod = "close")
    Admin kafkaAdminClient(KafkaAdmin admin) {
        return Admin.create(admin.getConfigurationProperties());
    }
}
