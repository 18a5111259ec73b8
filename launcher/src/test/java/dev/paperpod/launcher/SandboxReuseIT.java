package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.paperpod.api.auth.AccountTokens;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.worker.sandbox.SandboxPool;
import dev.paperpod.worker.sandbox.SandboxPools;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * An account's next job may run in the sandbox its last one used, after a verified reset: nothing the last job
 * left is visible, and no other account ever gets that sandbox.
 */
@ExtendWith(SharedStack.class)
class SandboxReuseIT {

    private static final String LEAVE_TRACES = "echo secret > /workspace/secret; echo t > /tmp/t; echo s > /dev/shm/s;"
            + " (setsid sleep 1001 >/dev/null 2>&1 &); (sleep 1002 >/dev/null 2>&1 &); echo left";
    private static final String LOOK_AROUND =
            "ls -A /workspace /tmp /dev/shm; ps -eo args | grep -c '[s]leep 100' || true";

    private final Api api;
    private final EmbeddedStack stack;

    SandboxReuseIT(Api api, EmbeddedStack stack) {
        this.api = api;
        this.stack = stack;
    }

    @Test
    void nothingAJobLeavesBehindIsVisibleToTheNextOneInTheSameSandbox() throws Exception {
        String first = run(api, LEAVE_TRACES);
        UUID account = accountOf(first);
        await().atMost(Duration.ofSeconds(30)).until(() -> pool().reusableCount(account) >= 1);

        String second = run(api, LOOK_AROUND);

        assertThat(sandboxOf(second))
                .as("the second job reuses the first one's sandbox")
                .isEqualTo(sandboxOf(first));
        assertThat(result(second).path("stdout").asString()).isEqualTo("/dev/shm:\n\n/tmp:\n\n/workspace:\n0\n");
    }

    @Test
    void anotherAccountNeverGetsTheSandboxOfThisOne() throws Exception {
        String token = "pp_other_" + UUID.randomUUID();
        stack.api().getBean(AccountTokens.class).register("other-" + token, "test", token);
        String mine = run(api, LEAVE_TRACES);
        UUID account = accountOf(mine);
        await().atMost(Duration.ofSeconds(30)).until(() -> pool().reusableCount(account) >= 1);

        String theirs = run(api.withToken(token), LOOK_AROUND);

        assertThat(sandboxOf(theirs)).isNotEqualTo(sandboxOf(mine));
        assertThat(result(theirs).path("stdout").asString()).isEqualTo("/dev/shm:\n\n/tmp:\n\n/workspace:\n0\n");
    }

    private String run(Api as, String code) {
        String id =
                as.post("/v1/jobs", Map.of("language", "shell", "code", code)).text("id");
        JsonNode job = as.get("/v1/jobs/" + id + "?wait=60").json();
        assertThat(job.path("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        results.put(id, job.path("result"));
        return id;
    }

    private final Map<String, JsonNode> results = new java.util.HashMap<>();

    private JsonNode result(String jobId) {
        return results.get(jobId);
    }

    private SandboxPool pool() {
        return stack.workers().get(0).getBean(SandboxPools.class).pool(Egress.NONE);
    }

    private UUID accountOf(String jobId) throws Exception {
        return UUID.fromString(query("select account_id::text from jobs where id = ?", jobId));
    }

    private String sandboxOf(String jobId) throws Exception {
        return query("select sandbox_id from job_attempts where job_id = ?", jobId);
    }

    private String query(String sql, String jobId) throws Exception {
        try (Connection c = stack.postgres().dataSource().getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, UUID.fromString(jobId));
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as("a row for job %s", jobId).isTrue();
                return rs.getString(1);
            }
        }
    }
}
