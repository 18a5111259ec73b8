package dev.paperpod.store;

import dev.paperpod.schemas.job.JobKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The async jobs waiting in PostgreSQL for the dispatcher, and the figures it decides with, per job kind. The order
 * within a kind: due jobs ({@code runAt} passed), by priority; within a priority, accounts take turns (each account's
 * oldest first); an account never has more than its concurrency limit dispatched or running, of all kinds together.
 */
public interface DispatchQueue {

    /** PostgreSQL channel notified when a job starts waiting (submitted, or back for another attempt). */
    String WAITING_CHANNEL = "paperpod_job_waiting";

    /** Wakes the dispatcher when the caller's transaction commits. */
    void announceWaiting();

    /** A job handed out, and the partition it goes to. */
    record Dispatched(JobRecord job, int partition) {}

    /**
     * Marks the next jobs of {@code kind} dispatched, one to each of {@code partitions} in turn, and returns them, for
     * the caller to put on the outbox in the same transaction. The caller holds the dispatch lock: {@link #room} took
     * it in the same transaction.
     *
     * @param partitions the free partitions of the kind's topic, as many as jobs may go
     * @param defaultConcurrency an account's limit unless it has its own
     */
    List<Dispatched> takeNext(JobKind kind, List<Integer> partitions, int defaultConcurrency, Instant now);

    /**
     * Starts a dispatching round: takes the dispatch lock for the transaction (only one dispatcher works at a time)
     * and reads what the round decides with, in one statement: per kind, the capacity of the workers heard from since
     * {@code since}, and the jobs dispatched and not ended.
     */
    Room room(Instant since);

    /**
     * @param locked whether the round has the dispatch lock: if not, another dispatcher is at work and this one
     *     dispatches nothing
     * @param capacity per kind, what the workers heard from recently have at most (for exec: sandboxes)
     * @param inFlight per kind, the jobs dispatched and not ended (on Kafka or running); kinds with none are absent
     */
    record Room(boolean locked, Map<JobKind, Integer> capacity, Map<JobKind, InFlight> inFlight) {

        /** The kind's jobs in flight, none when absent. */
        public InFlight inFlight(JobKind kind) {
            return inFlight.getOrDefault(kind, InFlight.NONE);
        }
    }

    /**
     * @param total every job of the kind on Kafka or running, sync ones included
     * @param byPartition background jobs per partition of the kind's topic they were put on
     */
    record InFlight(int total, Map<Integer, Integer> byPartition) {
        static final InFlight NONE = new InFlight(0, Map.of());
    }

    /**
     * How many waiting jobs of its kind go before this one (0: it is next), if it waits and is due; empty otherwise.
     */
    OptionalLong position(UUID jobId, Instant now);

    /**
     * Jobs of the account waiting to be dispatched, counted up to {@code atMost}: a submission only needs to know
     * whether the account is past its limit, and counting a backlog of thousands on every submission would cost
     * more than the submission itself.
     */
    long waiting(UUID accountId, long atMost);

    /** The account's own limit on waiting jobs, if it has one. */
    OptionalLong maxQueued(UUID accountId);

    /** Jobs that ended since {@code since}: the recent pace, for estimates. */
    long endedSince(Instant since);
}
