package dev.paperpod.store;

import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.Language;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The store ports of one adapter, as the contract suites ({@code *Contract}) take them, and the fixtures they share.
 * Tests keep apart by fresh accounts and ids; a suite that needs an empty table resets it itself.
 *
 * @param tx transactions on the adapter's own connections
 */
record Stores(
        JobStore jobs,
        DispatchQueue queue,
        WorkerStore workers,
        BatchStore batches,
        WebhookStore webhooks,
        IdempotencyStore idempotency,
        AccountStore accounts,
        ComponentHeartbeats components,
        SandboxStore sandboxes,
        PreviewStore previews,
        BrowserSessionStore browserSessions,
        TransactionTemplate tx) {

    /** A new account of its own. */
    UUID account() {
        return accounts.accountNamed("contract-" + UUID.randomUUID());
    }

    /** A new background job of the account, waiting, not stored yet. */
    static JobRecord queuedJob(UUID account) {
        return JobRecord.waiting(
                UUID.randomUUID(),
                account,
                "exec",
                "async",
                1,
                3,
                now(),
                new ExecSpec(Language.SHELL, "echo hi", 1000, Map.of(), null, Egress.NONE),
                JobPriority.NORMAL,
                null,
                null);
    }

    /** A stored background job of a new account, as read back. */
    JobRecord insertQueued() {
        JobRecord job = queuedJob(account());
        jobs.insert(job);
        return jobs.find(job.id()).orElseThrow();
    }

    /** A sync job as its events first tell of it. */
    static JobRecord syncStub(UUID id, UUID account, Instant dispatchedAt) {
        return JobRecord.waiting(
                id, account, "exec", "sync", 1, 1, now(), null, JobPriority.NORMAL, null, dispatchedAt);
    }

    /** PostgreSQL keeps microseconds; so do the contracts. */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
