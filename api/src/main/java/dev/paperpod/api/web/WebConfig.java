package dev.paperpod.api.web;

import dev.paperpod.api.auth.CallerArgumentResolver;
import dev.paperpod.schemas.Wire;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
public class WebConfig implements WebMvcConfigurer {

    /** HTTP bodies are written exactly as the contracts in {@code schemas} say. */
    @Bean
    JsonMapper jsonMapper() {
        return Wire.mapper();
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new CallerArgumentResolver());
    }
}
