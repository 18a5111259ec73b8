package dev.paperpod.schemas.job;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The one place that says how a job's status may change. Everything that moves a job — the projector applying
 * worker events, the sweeper, cancel — asks here first, so an illegal move is a bug that throws rather than a row
 * that silently goes back in time.
 *
 * <pre>
 * QUEUED ──> RUNNING ──> SUCCEEDED | FAILED | TIMED_OUT | CANCELED
 *   │  ▲        │
 *   │  └─ RETRYING <─┘  an infrastructure fault with attempts left; RETRYING ──> QUEUED with the next attempt
 *   ├──> RETRYING       the attempt failed before its program started (no sandbox for it)
 *   └──> CANCELED       canceled while waiting
 * </pre>
 *
 * A worker's {@code job.finished} may arrive before its {@code job.started} (a sync job's events race), so QUEUED
 * may end directly in any terminal status. Part of the public contract: docs/api.md lists the same moves.
 */
public final class JobStateMachine {

    private static final Map<JobStatus, Set<JobStatus>> ALLOWED = new EnumMap<>(JobStatus.class);

    static {
        Set<JobStatus> ends =
                EnumSet.of(JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.TIMED_OUT, JobStatus.CANCELED);
        Set<JobStatus> fromQueued = EnumSet.copyOf(ends);
        fromQueued.add(JobStatus.RUNNING);
        fromQueued.add(JobStatus.RETRYING);
        Set<JobStatus> fromRunning = EnumSet.copyOf(ends);
        fromRunning.add(JobStatus.RETRYING);
        ALLOWED.put(JobStatus.QUEUED, fromQueued);
        ALLOWED.put(JobStatus.RUNNING, fromRunning);
        ALLOWED.put(JobStatus.RETRYING, EnumSet.of(JobStatus.QUEUED, JobStatus.CANCELED, JobStatus.FAILED));
        for (JobStatus end : ends) {
            ALLOWED.put(end, EnumSet.noneOf(JobStatus.class));
        }
    }

    private JobStateMachine() {}

    public static boolean canMove(JobStatus from, JobStatus to) {
        return ALLOWED.get(from).contains(to);
    }

    /**
     * @return {@code to}, when the move is allowed
     * @throws IllegalJobTransitionException when it is not
     */
    public static JobStatus move(JobStatus from, JobStatus to) {
        if (!canMove(from, to)) {
            throw new IllegalJobTransitionException(from, to);
        }
        return to;
    }

    /** The statuses a job may move to from {@code from}. */
    public static Set<JobStatus> next(JobStatus from) {
        return Set.copyOf(ALLOWED.get(from));
    }

    /** A move the state machine does not allow: always a bug in the caller, never a user's mistake. */
    public static final class IllegalJobTransitionException extends IllegalStateException {
        private final JobStatus from;
        private final JobStatus to;

        public IllegalJobTransitionException(JobStatus from, JobStatus to) {
            super("a job cannot move from " + from + " to " + to + "; allowed from " + from + ": " + ALLOWED.get(from));
            this.from = from;
            this.to = to;
        }

        public JobStatus from() {
            return from;
        }

        public JobStatus to() {
            return to;
        }
    }
}
