package dev.paperpod.store;

import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link SandboxStore} on the {@code sandboxes} table. */
public final class PostgresSandboxStore implements SandboxStore {

    private final JdbcClient jdbc;

    public PostgresSandboxStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Optional<Placement> find(UUID accountId, String name) {
        return jdbc.sql("select worker_id, sandbox_id from sandboxes where account_id = ? and name = ?")
                .params(accountId, name)
                .query((rs, n) -> new Placement(accountId, name, rs.getString("worker_id"), rs.getString("sandbox_id")))
                .optional();
    }

    @Override
    public Placement place(UUID accountId, String name, String workerId, @Nullable Placement replacing) {
        if (replacing == null) {
            jdbc.sql("insert into sandboxes (account_id, name, worker_id) values (?, ?, ?) on conflict do nothing")
                    .params(accountId, name, workerId)
                    .update();
        } else {
            // the old sandbox id stays: the first answer from the new worker tells of a sandbox made anew
            jdbc.sql("""
                            update sandboxes set worker_id = ?, placed_at = now()
                            where account_id = ? and name = ? and worker_id = ?
                            """)
                    .params(workerId, accountId, name, replacing.workerId())
                    .update();
        }
        return find(accountId, name)
                .orElseThrow(() -> new IllegalStateException(
                        "sandbox " + name + " of account " + accountId + " vanished while it was placed"));
    }

    @Override
    public void recordSandbox(Placement placement, String sandboxId) {
        jdbc.sql("update sandboxes set sandbox_id = ? where account_id = ? and name = ? and worker_id = ?")
                .params(sandboxId, placement.accountId(), placement.name(), placement.workerId())
                .update();
    }
}
