package dev.paperpod.api.artifacts;

import dev.paperpod.artifacts.ArtifactStore;
import dev.paperpod.artifacts.FileArtifactStore;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class ArtifactConfig {

    /** The store the workers keep jobs' files in: {@code paperpod.artifacts.dir}, shared with them. */
    @Bean
    ArtifactStore artifactStore(@Value("${paperpod.artifacts.dir}") Path dir) {
        return new FileArtifactStore(dir);
    }
}
