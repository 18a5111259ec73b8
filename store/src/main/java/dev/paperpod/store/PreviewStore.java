package dev.paperpod.store;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The exposed ports of the accounts' sandboxes (preview URLs). A preview names its sandbox by id, so it ends with that
 * sandbox: once the account's name holds another sandbox, the old URL answers that it is gone.
 */
public interface PreviewStore {

    /**
     * Exposes a port, or changes whether an exposed one is private. A private preview keeps its token across calls;
     * {@code newToken} is used only when it has none yet.
     *
     * @return the preview as it holds afterwards
     */
    Preview expose(UUID accountId, String name, String sandboxId, int port, boolean isPrivate, String newToken);

    Optional<Preview> find(String sandboxId, int port);

    /** The sandbox's exposed ports, in port order. */
    List<Preview> of(String sandboxId);

    /**
     * @param token what opens a private preview besides the account's own token; null when public
     */
    record Preview(
            String sandboxId,
            int port,
            UUID accountId,
            String name,
            boolean isPrivate,
            @Nullable String token) {}
}
