package dev.paperpod.api.health;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.schemas.http.HealthView;
import dev.paperpod.schemas.http.HealthView.Check;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /health}: 200 only when PaperPod can run a job end to end: PostgreSQL and Kafka answer, the outbox
 * relay is running, and at least one worker has a ready sandbox. Otherwise 503, saying what is missing.
 */
@RestController
class HealthController {

    private final JdbcClient jdbc;
    private final Admin kafka;
    private final Duration staleness;

    HealthController(JdbcClient jdbc, Admin kafka, ApiProperties properties) {
        this.jdbc = jdbc;
        this.kafka = kafka;
        this.staleness = properties.heartbeatStaleness();
    }

    @GetMapping("/health")
    ResponseEntity<HealthView> health() {
        Map<String, Check> checks = new LinkedHashMap<>();
        Check postgres = postgres();
        checks.put("postgres", postgres);
        checks.put("kafka", kafka());
        if (postgres.up()) {
            checks.put("outboxRelay", outboxRelay());
            checks.put("workers", workers());
        } else {
            checks.put("outboxRelay", new Check(false, "unknown: PostgreSQL is down"));
            checks.put("workers", new Check(false, "unknown: PostgreSQL is down"));
        }
        boolean up = checks.values().stream().allMatch(Check::up);
        return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .body(new HealthView(up ? "UP" : "DOWN", checks));
    }

    private Check postgres() {
        try {
            jdbc.sql("select 1").query(Integer.class).single();
            return new Check(true, "ok");
        } catch (RuntimeException e) {
            return new Check(false, "not reachable: " + e.getMessage());
        }
    }

    private Check kafka() {
        try {
            int brokers =
                    kafka.describeCluster().nodes().get(2, TimeUnit.SECONDS).size();
            return new Check(brokers > 0, brokers + " broker(s)");
        } catch (Exception e) {
            return new Check(false, "not reachable: " + e);
        }
    }

    private Check outboxRelay() {
        return jdbc.sql("""
                        select state, detail, extract(epoch from now() - last_seen) * 1000 as age_ms
                        from component_heartbeats where component = 'outbox-relay'
                        """)
                .query((rs, n) -> {
                    long ageMs = rs.getLong("age_ms");
                    boolean fresh = ageMs <= staleness.toMillis();
                    boolean running = "RUNNING".equals(rs.getString("state"));
                    String detail = running && fresh
                            ? "running"
                            : !fresh
                                    ? "no heartbeat for " + ageMs / 1000 + " s: is the scheduler up?"
                                    : rs.getString("detail");
                    return new Check(running && fresh, detail);
                })
                .optional()
                .orElse(new Check(false, "never started: is the scheduler up?"));
    }

    private Check workers() {
        return jdbc.sql("""
                        select count(*) as alive, coalesce(sum(ready_sandboxes), 0) as ready,
                               count(*) filter (where ready_sandboxes > 0) as with_ready
                        from workers where last_seen > now() - make_interval(secs => ?)
                        """)
                .param(staleness.toSeconds())
                .query((rs, n) -> {
                    long alive = rs.getLong("alive");
                    long ready = rs.getLong("ready");
                    boolean up = rs.getLong("with_ready") > 0;
                    String detail = alive == 0
                            ? "no worker has reported in the last " + staleness.toSeconds() + " s"
                            : alive + " worker(s), " + ready + " ready sandbox(es)";
                    return new Check(up, detail);
                })
                .single();
    }
}
