package dev.paperpod.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/** {@link PreviewStore} on the {@code previews} table. */
public final class PostgresPreviewStore implements PreviewStore {

    private final JdbcClient jdbc;

    public PostgresPreviewStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Preview expose(UUID accountId, String name, String sandboxId, int port, boolean isPrivate, String newToken) {
        return jdbc.sql("""
                        insert into previews (sandbox_id, port, account_id, name, private, token)
                        values (?, ?, ?, ?, ?, case when ? then ? end)
                        on conflict (sandbox_id, port) do update
                        set private = excluded.private,
                            token = case when excluded.private then coalesce(previews.token, excluded.token) end
                        where previews.account_id = excluded.account_id
                        returning sandbox_id, port, account_id, name, private, token
                        """)
                .params(sandboxId, port, accountId, name, isPrivate, isPrivate, newToken)
                .query(PostgresPreviewStore::preview)
                .optional()
                .orElseThrow(() -> new IllegalStateException(
                        "sandbox " + sandboxId + " has previews of another account than " + accountId));
    }

    @Override
    public Optional<Preview> find(String sandboxId, int port) {
        return jdbc.sql("select * from previews where sandbox_id = ? and port = ?")
                .params(sandboxId, port)
                .query(PostgresPreviewStore::preview)
                .optional();
    }

    @Override
    public List<Preview> of(String sandboxId) {
        return jdbc.sql("select * from previews where sandbox_id = ? order by port")
                .param(sandboxId)
                .query(PostgresPreviewStore::preview)
                .list();
    }

    private static Preview preview(ResultSet rs, int row) throws SQLException {
        return new Preview(
                rs.getString("sandbox_id"),
                rs.getInt("port"),
                rs.getObject("account_id", UUID.class),
                rs.getString("name"),
                rs.getBoolean("private"),
                rs.getString("token"));
    }
}
