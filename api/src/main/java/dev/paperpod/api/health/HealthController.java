package dev.paperpod.api.health;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.http.HealthView;
import dev.paperpod.schemas.http.HealthView.Check;
import dev.paperpod.store.ComponentHeartbeats;
import dev.paperpod.store.WorkerStore;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /health}: 200 only when PaperPod can run a job end to end: PostgreSQL and Kafka answer, the outbox
 * relay is running, and at least one worker has something ready for a job. Otherwise 503, saying what is missing;
 * the workers' detail names what is ready of each job kind.
 */
@RestController
class HealthController {

    private final ComponentHeartbeats components;
    private final WorkerStore workers;
    private final Admin kafka;
    private final Duration staleness;
    private final Clock clock;

    HealthController(
            ComponentHeartbeats components, WorkerStore workers, Admin kafka, ApiProperties properties, Clock clock) {
        this.components = components;
        this.workers = workers;
        this.kafka = kafka;
        this.staleness = properties.heartbeatStaleness();
        this.clock = clock;
    }

    @GetMapping("/health")
    ResponseEntity<HealthView> health() {
        Map<String, Check> checks = new LinkedHashMap<>();
        Optional<ComponentHeartbeats.Heartbeat> relay;
        try {
            relay = components.last(ComponentHeartbeats.OUTBOX_RELAY);
            checks.put("postgres", new Check(true, "ok"));
        } catch (RuntimeException e) {
            relay = null;
            checks.put("postgres", new Check(false, "not reachable: " + e.getMessage()));
        }
        checks.put("kafka", kafka());
        if (relay != null) {
            checks.put("outboxRelay", outboxRelay(relay));
            checks.put("workers", workers());
        } else {
            checks.put("outboxRelay", new Check(false, "unknown: PostgreSQL is down"));
            checks.put("workers", new Check(false, "unknown: PostgreSQL is down"));
        }
        boolean up = checks.values().stream().allMatch(Check::up);
        return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .body(new HealthView(up ? "UP" : "DOWN", checks));
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

    private Check outboxRelay(Optional<ComponentHeartbeats.Heartbeat> last) {
        if (last.isEmpty()) {
            return new Check(false, "never started: is the scheduler up?");
        }
        ComponentHeartbeats.Heartbeat beat = last.get();
        boolean fresh = beat.age().compareTo(staleness) <= 0;
        boolean running = "RUNNING".equals(beat.state());
        String detail = running && fresh
                ? "running"
                : !fresh ? "no heartbeat for " + beat.age().toSeconds() + " s: is the scheduler up?" : beat.detail();
        return new Check(running && fresh, detail);
    }

    private Check workers() {
        List<WorkerStore.Worker> alive = workers.heardSince(clock.instant().minus(staleness));
        if (alive.isEmpty()) {
            return new Check(false, "no worker has reported in the last " + staleness.toSeconds() + " s");
        }
        Map<String, int[]> byKind = new TreeMap<>(); // ready, max
        boolean anyReady = false;
        for (WorkerStore.Worker worker : alive) {
            for (WorkerHeartbeat.Capacity c : worker.capacity()) {
                int[] sum = byKind.computeIfAbsent(c.kind().wireName(), k -> new int[2]);
                sum[0] += c.ready();
                sum[1] += c.max();
                anyReady |= c.ready() > 0;
            }
        }
        StringBuilder detail = new StringBuilder(alive.size() + " worker(s); ready:");
        byKind.forEach((kind, sum) -> detail.append(' ')
                .append(kind)
                .append(' ')
                .append(sum[0])
                .append(" of ")
                .append(sum[1])
                .append(','));
        detail.setLength(detail.length() - 1);
        return new Check(
                anyReady, byKind.isEmpty() ? alive.size() + " worker(s), running no job kind" : detail.toString());
    }
}
