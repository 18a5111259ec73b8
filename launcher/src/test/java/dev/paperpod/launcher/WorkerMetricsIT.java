package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import dev.paperpod.worker.metrics.MetricsEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A worker exports its pools' state and latencies for Prometheus. */
@ExtendWith(SharedStack.class)
class WorkerMetricsIT {

    private final EmbeddedStack stack;
    private final Api api;

    WorkerMetricsIT(EmbeddedStack stack, Api api) {
        this.stack = stack;
        this.api = api.withSandbox("ephemeral"); // the pool path: a fresh sandbox per call
    }

    @Test
    void exportsPoolSizeReadyBusyAndClaimAndCreationLatencies() {
        api.post("/execute", "{\"language\":\"shell\",\"code\":\"true\"}");
        int port = stack.workers().get(0).getBean(MetricsEndpoint.class).port();

        Api.Response metrics = new Api("http://127.0.0.1:" + port, null).get("/metrics");

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("paperpod_sandbox_pool_ready{pool=\"none\"}")
                .contains("paperpod_sandbox_pool_busy{pool=\"none\"}")
                .contains("paperpod_sandbox_pool_size{pool=\"none\"}")
                .contains("paperpod_sandbox_pool_max{pool=\"full\"}")
                .contains("paperpod_sandbox_claim_seconds_count{pool=\"none\"}")
                .contains("paperpod_sandbox_create_seconds_count{pool=\"none\"}")
                .contains("paperpod_sandbox_create_failures_total{pool=\"none\"}")
                .contains("paperpod_worker_jobs_in_flight{topic=\"paperpod.jobs.exec\"}");
    }
}
