package dev.paperpod.worker.browser;

import com.microsoft.playwright.PlaywrightException;
import dev.paperpod.schemas.browser.BrowserKind;
import dev.paperpod.schemas.browser.BrowserOperation;
import dev.paperpod.schemas.browser.BrowserResult;
import dev.paperpod.schemas.browser.BrowserSpec;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.ArtifactRef;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobSource;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.worker.jobs.JobArtifacts;
import dev.paperpod.worker.jobs.JobFailure;
import dev.paperpod.worker.jobs.JobRunner;
import dev.paperpod.worker.jobs.OutputSink;
import dev.paperpod.worker.jobs.RunCancellation;
import dev.paperpod.worker.sandbox.PodmanSandboxRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser kind's runner: a job claims a warm browser from the pool, does its page work in a fresh context, and
 * gives the browser back (replaced if the job did not end cleanly); a job in a session uses the session's own browser
 * and page instead ({@link BrowserSessions}). A canceled job's browser is ended at once.
 */
public final class BrowserJobRunner implements JobRunner {

    private static final Logger log = LoggerFactory.getLogger(BrowserJobRunner.class);

    /** How long past its own limit a job's browser is left before it is ended: Playwright's timeouts come first. */
    private static final Duration WATCHDOG_GRACE = Duration.ofSeconds(10);

    private final BrowserPool pool;
    private final BrowserSessions sessions;
    private final Clock clock;
    private final BrowserPages pages;
    private final Duration claimTimeout;
    private final JobArtifacts artifacts;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "browser-watchdog");
        t.setDaemon(true);
        return t;
    });

    BrowserJobRunner(
            BrowserPool pool,
            BrowserSessions sessions,
            Clock clock,
            Duration claimTimeout,
            long maxResultBytes,
            long maxHarBytes,
            BrowserEgress egress,
            JobArtifacts artifacts) {
        this.pool = pool;
        this.artifacts = artifacts;
        this.sessions = sessions;
        this.clock = clock;
        this.pages = new BrowserPages(clock, maxResultBytes, maxHarBytes, egress);
        this.claimTimeout = claimTimeout;
    }

    @Override
    public JobKind kind() {
        return BrowserKind.KIND;
    }

    @Override
    public int concurrency() {
        return pool.max();
    }

    @Override
    public int syncConcurrency() {
        return pool.max();
    }

    @Override
    public WorkerHeartbeat.Capacity capacity() {
        int[] counts = pool.counts();
        return new WorkerHeartbeat.Capacity(BrowserKind.KIND, counts[0], counts[1], pool.max());
    }

    @Override
    public Lease claim(JobEnvelope job) throws JobFailure {
        BrowserSpec spec = (BrowserSpec) job.spec();
        if (spec.operation() == BrowserOperation.ACQUIRE || spec.operation() == BrowserOperation.RELEASE) {
            return new SessionControl();
        }
        if (spec.sessionId() != null) {
            BrowserSessions.Session session = sessions.take(spec.sessionId(), job.accountId());
            if (session == null) {
                throw new JobFailure(
                        "SESSION_GONE",
                        "browser session " + spec.sessionId() + " has ended (released, idle past its timeout, or its"
                                + " worker stopped)",
                        false);
            }
            return new SessionLease(session);
        }
        PooledBrowser browser;
        try {
            browser = pool.claim(claimTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobFailure("INTERRUPTED", "the worker is stopping", true, e);
        } catch (BrowserException e) {
            throw new JobFailure("BROWSER_UNAVAILABLE", e.getMessage(), true, e);
        }
        if (browser == null) {
            throw new JobFailure.Busy(
                    "BROWSER_UNAVAILABLE",
                    "every browser of this worker stayed busy for " + claimTimeout.toSeconds() + " s");
        }
        return new BrowserLease(browser);
    }

    /**
     * A browser held for one job's page work: ended at once when the job is canceled, or when the page runs past the
     * job's limit where no Playwright timeout reaches (a renderer spinning in a script).
     */
    private abstract class PageLease implements Lease {
        private volatile boolean killed;
        private volatile boolean overran;

        /** Does the job's page work; a traced job's recording goes into {@code scratch}. */
        abstract BrowserPages.Done work(BrowserSpec spec, @Nullable Path scratch);

        /** Ends the browser under the job. */
        abstract void end();

        /** Gives the browser back: {@code clean} when the job ended as it should. */
        abstract void giveBack(boolean clean);

        @Override
        public Ran run(JobEnvelope job, OutputSink output, RunCancellation cancellation) throws JobFailure {
            BrowserSpec spec = (BrowserSpec) job.spec();
            cancellation.onCancel(() -> {
                killed = true;
                end();
            });
            ScheduledFuture<?> overdue = watchdog.schedule(
                    () -> {
                        overran = true;
                        end();
                    },
                    spec.timeoutMs() + WATCHDOG_GRACE.toMillis(),
                    TimeUnit.MILLISECONDS);
            Path scratch = null;
            try {
                scratch = spec.trace() ? Files.createTempDirectory("paperpod-trace-") : null;
                BrowserPages.Done done = work(spec, scratch);
                BrowserResult result = kept(job, done);
                return new Ran(statusOf(result), result, done.startedAt(), done.finishedAt());
            } catch (IOException e) {
                throw new JobFailure("ARTIFACT_STORE_FAILED", "no room for the job's trace: " + e, true, e);
            } catch (PlaywrightException e) {
                if (killed) {
                    throw new JobFailure("CANCELED", "canceled while the page loaded; its browser was ended", false);
                }
                if (overran) {
                    throw new JobFailure(
                            "DEADLINE_EXCEEDED",
                            "the page did not answer within its " + spec.timeoutMs() + " ms; its browser was ended",
                            false);
                }
                log.error("Browser {} broke under job {}: {}", id(), job.jobId(), e.getMessage());
                throw new JobFailure(
                        "BROWSER_LOST", "the browser stopped answering: " + PooledBrowser.firstLine(e), true, e);
            } finally {
                overdue.cancel(false);
                if (scratch != null) {
                    PodmanSandboxRuntime.deleteQuietly(scratch);
                }
            }
        }

        @Override
        public void release(boolean reusable) {
            giveBack(reusable && !killed && !overran);
        }
    }

    /** A warm browser of the pool, a fresh context for the job. */
    private final class BrowserLease extends PageLease {
        private final PooledBrowser browser;

        BrowserLease(PooledBrowser browser) {
            this.browser = browser;
        }

        @Override
        public String id() {
            return browser.id();
        }

        @Override
        BrowserPages.Done work(BrowserSpec spec, @Nullable Path scratch) {
            return pages.run(browser, spec, scratch);
        }

        @Override
        void end() {
            pool.kill(browser);
        }

        @Override
        void giveBack(boolean clean) {
            pool.release(browser, clean);
        }
    }

    /** A session's browser, context and page, kept for its next call; a job that did not end cleanly ends it. */
    private final class SessionLease extends PageLease {
        private final BrowserSessions.Session session;

        SessionLease(BrowserSessions.Session session) {
            this.session = session;
        }

        @Override
        public String id() {
            return session.pooled.id();
        }

        @Override
        BrowserPages.Done work(BrowserSpec spec, @Nullable Path scratch) {
            return pages.runOn(session.browser, session.page, spec, scratch);
        }

        @Override
        void end() {
            sessions.end(session, "its call was canceled or ran past its time");
        }

        @Override
        void giveBack(boolean clean) {
            if (!clean || !session.browser.isConnected()) {
                sessions.end(session, "its call did not end cleanly");
            }
            sessions.giveBack(session);
        }
    }

    /** Opens or ends a session: the worker the api placed it on starts or removes its browser. */
    private final class SessionControl implements Lease {

        @Override
        public String id() {
            return "sessions";
        }

        @Override
        public Ran run(JobEnvelope job, OutputSink output, RunCancellation cancellation) throws JobFailure {
            BrowserSpec spec = (BrowserSpec) job.spec();
            Instant started = clock.instant();
            if (spec.operation() == BrowserOperation.ACQUIRE) {
                sessions.open(spec.sessionId(), job.accountId(), spec);
            } else {
                sessions.end(spec.sessionId(), job.accountId());
            }
            Instant finished = clock.instant();
            BrowserResult result = new BrowserResult(
                    spec.operation(),
                    BrowserResult.Verdict.OK,
                    null,
                    null,
                    spec.operation().contentType(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    Duration.between(started, finished).toMillis(),
                    List.of());
            return new Ran(JobStatus.SUCCEEDED, result, started, finished);
        }

        @Override
        public void release(boolean reusable) {}
    }

    /**
     * The result with the files the job gave kept as artifacts: its recording, and a background job's screenshot or
     * PDF (a sync job's goes back in its answer, the fastest way to its client).
     */
    private BrowserResult kept(JobEnvelope job, BrowserPages.Done done) throws JobFailure {
        BrowserResult result = done.result();
        List<ArtifactRef> kept = new ArrayList<>(done.files().size() + 1);
        for (BrowserRecording.File file : done.files()) {
            kept.add(artifacts.keep(job, file.name(), file.contentType(), file.path()));
        }
        boolean dataKept = job.source() != JobSource.SYNC && result.data() != null;
        if (dataKept) {
            kept.add(artifacts.keep(job, fileName(result), result.contentType(), result.data()));
        }
        return kept.isEmpty() ? result : result.withArtifacts(kept, dataKept);
    }

    /** What a background job's screenshot or PDF is called among its artifacts. */
    static String fileName(BrowserResult result) {
        return switch (result.contentType()) {
            case "image/jpeg" -> "screenshot.jpeg";
            case "image/png" -> "screenshot.png";
            case "application/pdf" -> "page.pdf";
            default -> result.operation().wireName();
        };
    }

    /** A page that loaded is a success, whatever its HTTP status; one that did not is the user's failure. */
    static JobStatus statusOf(BrowserResult result) {
        return switch (result.verdict()) {
            case OK, BEST_ATTEMPT -> JobStatus.SUCCEEDED;
            case TIMEOUT -> JobStatus.TIMED_OUT;
            case NAVIGATION_FAILED, PAGE_ERROR, RESULT_TOO_LARGE, BAD_SELECTOR, EGRESS_REFUSED, TEST_FAILED ->
                JobStatus.FAILED;
        };
    }
}
