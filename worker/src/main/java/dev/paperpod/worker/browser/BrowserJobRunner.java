package dev.paperpod.worker.browser;

import com.microsoft.playwright.PlaywrightException;
import dev.paperpod.schemas.browser.BrowserKind;
import dev.paperpod.schemas.browser.BrowserResult;
import dev.paperpod.schemas.browser.BrowserSpec;
import dev.paperpod.schemas.event.WorkerHeartbeat;
import dev.paperpod.schemas.job.JobEnvelope;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobStatus;
import dev.paperpod.worker.jobs.JobFailure;
import dev.paperpod.worker.jobs.JobRunner;
import dev.paperpod.worker.jobs.OutputSink;
import dev.paperpod.worker.jobs.RunCancellation;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser kind's runner: a job claims a warm browser from the pool, does its page work in a fresh context, and
 * gives the browser back (replaced if the job did not end cleanly). A canceled job's browser is ended at once.
 */
public final class BrowserJobRunner implements JobRunner {

    private static final Logger log = LoggerFactory.getLogger(BrowserJobRunner.class);

    /** How long past its own limit a job's browser is left before it is ended: Playwright's timeouts come first. */
    private static final Duration WATCHDOG_GRACE = Duration.ofSeconds(10);

    private final BrowserPool pool;
    private final BrowserPages pages;
    private final Duration claimTimeout;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "browser-watchdog");
        t.setDaemon(true);
        return t;
    });

    BrowserJobRunner(BrowserPool pool, Clock clock, Duration claimTimeout, long maxResultBytes, BrowserEgress egress) {
        this.pool = pool;
        this.pages = new BrowserPages(clock, maxResultBytes, egress);
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

    /** A browser held for one job. */
    private final class BrowserLease implements Lease {
        private final PooledBrowser browser;
        private volatile boolean killed;
        private volatile boolean overran;

        BrowserLease(PooledBrowser browser) {
            this.browser = browser;
        }

        @Override
        public String id() {
            return browser.id();
        }

        @Override
        public Ran run(JobEnvelope job, OutputSink output, RunCancellation cancellation) throws JobFailure {
            BrowserSpec spec = (BrowserSpec) job.spec();
            cancellation.onCancel(() -> {
                killed = true;
                pool.kill(browser);
            });
            // a page stuck where no Playwright timeout reaches (a renderer spinning in a script) ends with its browser
            ScheduledFuture<?> overdue = watchdog.schedule(
                    () -> {
                        overran = true;
                        pool.kill(browser);
                    },
                    spec.timeoutMs() + WATCHDOG_GRACE.toMillis(),
                    TimeUnit.MILLISECONDS);
            try {
                BrowserPages.Done done = pages.run(browser, spec);
                return new Ran(statusOf(done.result()), done.result(), done.startedAt(), done.finishedAt());
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
                log.error("Browser {} broke under job {}: {}", browser.id(), job.jobId(), e.getMessage());
                throw new JobFailure(
                        "BROWSER_LOST", "the browser stopped answering: " + PooledBrowser.firstLine(e), true, e);
            } finally {
                overdue.cancel(false);
            }
        }

        @Override
        public void release(boolean reusable) {
            pool.release(browser, reusable && !killed && !overran);
        }
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
