package dev.paperpod.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of a worker.
 *
 * @param id names this worker in heartbeats, job attempts and container labels; a random one when unset
 * @param dockerHost Podman's Docker-compatible API
 * @param concurrency background exec jobs this worker runs at once (its runner threads)
 * @param syncConcurrency sync exec jobs this worker takes at once (their listener threads, apart from the background
 *     ones)
 * @param shutdownTimeout how long a stopping worker lets its running background jobs end before it leaves them to
 *     other workers
 * @param heartbeatInterval how often the worker says it is alive
 * @param eventHold how long a run's start and first output are held back: a run that ends within it is reported in
 *     one {@code job.ran} record instead of three or more; a longer one shows as running this much later
 * @param backgroundEventLinger how long a background job's events may wait to share a Kafka request with others
 *     ({@code linger.ms} of their producer): fewer, fuller requests for the broker and fuller batches for the
 *     projector, at this much latency; sync jobs' events and replies never wait. 0: none wait
 * @param metricsHost the address {@code GET /metrics} (Prometheus) listens on
 * @param metricsPort its port; 0 for any free one
 * @param reapInterval how often leftover sandboxes of workers that are gone are looked for (also at start-up)
 * @param sandbox the warm pool and the limits of every sandbox
 * @param accountSandbox the accounts' own sandboxes this worker hosts (ADR 8)
 */
@ConfigurationProperties("paperpod.worker")
public record WorkerProperties(
        @Nullable String id,
        @DefaultValue("unix:///run/podman/podman.sock") String dockerHost,
        @DefaultValue("8") int concurrency,
        @DefaultValue("4") int syncConcurrency,
        @DefaultValue("10s") Duration shutdownTimeout,
        @DefaultValue("2s") Duration heartbeatInterval,
        @DefaultValue("50ms") Duration eventHold,
        @DefaultValue("5ms") Duration backgroundEventLinger,
        @DefaultValue("5m") Duration reapInterval,
        @DefaultValue("127.0.0.1") String metricsHost,
        @DefaultValue("9464") int metricsPort,
        @DefaultValue Sandbox sandbox,
        @DefaultValue AccountSandbox accountSandbox,
        @DefaultValue Browser browser) {

    /**
     * Browser jobs: a warm pool of browser containers ({@code infra/sandbox/browser}), each Chromium behind
     * playwright-core's server, driven from here with Playwright for Java.
     *
     * @param enabled whether this worker runs browser jobs; it needs the browser image
     * @param minIdle browsers kept started and connected
     * @param max browsers at most, idle and busy together: browser jobs run at once here
     * @param contextsPerBrowser jobs a browser serves (each in a fresh context) before it is replaced
     * @param claimTimeout how long a sync job waits for a browser before it fails {@code BROWSER_UNAVAILABLE}
     * @param readyTimeout how long a new browser container may take to take connections
     * @param network the Podman network of browser containers: the internet, never the control plane
     * @param memory per browser container, Chromium and its renderers together
     * @param maxResult the most a result (a screenshot, a PDF, a page's HTML) may weigh: it travels in one record
     * @param maxHar the most a traced job's HAR may weigh as kept: over it, it is kept without response bodies, and
     *     over it still not at all (its console log says which)
     * @param egressAllow addresses or CIDR blocks the browsers may reach although they are private or this
     *     machine's (every other private, loopback, link-local and own address is refused): e.g. a test's pages
     * @param maxSessions browser sessions this worker runs at most, each a browser container of its own beside the
     *     pool's
     * @param sessionSpares browsers kept started for the next sessions once this worker has opened one (a session
     *     then opens in a context's time, not a container's start); 0 for none
     * @param previewUpstream {@code host:port} where this worker reaches the api's preview proxy: pages then reach
     *     preview URLs through it ({@link dev.paperpod.worker.browser.BrowserConfig}), as any client does; unset,
     *     preview hosts are judged like any other (a {@code *.localhost} one is refused as loopback)
     * @param previewDomain the host preview URLs are under, the api's {@code paperpod.api.preview-domain} without its
     *     port
     */
    public record Browser(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("localhost/paperpod/browser") String image,
            @DefaultValue("1") int minIdle,
            @DefaultValue("2") int max,
            @DefaultValue("50") int contextsPerBrowser,
            @DefaultValue("30s") Duration claimTimeout,
            @DefaultValue("30s") Duration readyTimeout,
            @DefaultValue("bridge") String network,
            @DefaultValue("1GB") DataSize memory,
            @DefaultValue("1.0") double cpus,
            @DefaultValue("512") long pids,
            @DefaultValue("auto") String userNamespace,
            @DefaultValue("5MB") DataSize maxResult,
            @DefaultValue("20MB") DataSize maxHar,
            @Nullable List<String> egressAllow,
            @DefaultValue("4") int maxSessions,
            @DefaultValue("1") int sessionSpares,
            @Nullable String previewUpstream,
            @DefaultValue("localhost") String previewDomain) {

        public Browser {
            egressAllow = egressAllow == null ? List.of() : List.copyOf(egressAllow);
        }
    }

    /**
     * @param idleTimeout how long an account's sandbox lives without a command; then it ends, files and processes
     * @param max account sandboxes this worker hosts at most, apart from its pool
     * @param network what they may reach: {@code full} (the internet, never the control plane) or {@code none}
     * @param execThreads exec jobs in account sandboxes run at once on this worker
     * @param commandThreads sandbox commands (files, processes, status) run at once, apart from exec jobs
     * @param tunnelHost the address the tunnel listener (the api's way to the ports inside these sandboxes, for
     *     preview URLs) listens on: an address the api reaches and the sandboxes do not
     * @param tunnelPort its port; 0 for any free one
     * @param tunnelAdvertisedHost how the api reaches it, when not by {@code tunnelHost} (e.g. the pod's address
     *     when it listens on {@code 0.0.0.0})
     */
    public record AccountSandbox(
            @DefaultValue("30m") Duration idleTimeout,
            @DefaultValue("16") int max,
            @DefaultValue("full") String network,
            @DefaultValue("8") int execThreads,
            @DefaultValue("8") int commandThreads,
            @DefaultValue("127.0.0.1") String tunnelHost,
            @DefaultValue("0") int tunnelPort,
            @Nullable String tunnelAdvertisedHost) {}

    /**
     * @param image the sandbox image, built by {@code infra/sandbox/build-images.sh}: {@code full} has every tool,
     *     {@code test} only what the fast tests need
     * @param minIdle warm sandboxes kept ready
     * @param max sandboxes at most, ready and busy together
     * @param claimTimeout how long a sync job waits for a sandbox before it fails as SANDBOX_UNAVAILABLE; a background
     *     job waits as long as the pool is only busy, and fails after it only when sandboxes cannot be made
     * @param agentReadyTimeout how long a new sandbox's agent may take to answer
     * @param socketRoot host directory under which each sandbox gets the directory holding its agent socket
     * @param agentPath the sandbox agent on the host (the Go binary of {@code sandbox-agent/src/main/go}); when unset,
     *     the one this build packaged in the sandbox-agent jar
     * @param memory memory limit of a sandbox (no swap); files in its tmpfs directories count against it
     * @param cpus CPU limit of a sandbox, in cores
     * @param pids most processes in a sandbox
     * @param userNamespace {@code auto}: root in a sandbox is an unprivileged uid of the host, from the range
     *     {@code /etc/subuid} gives the user {@code containers} ({@code ./paperpod} sets it up); {@code host}: off
     * @param egressNetwork the Podman network of sandboxes whose job asks for {@code "network": "full"}; others
     *     get no network at all
     * @param fullEgressMinIdle warm sandboxes kept ready for jobs with full egress
     * @param fullEgressMax sandboxes with full egress at most (on top of {@code max})
     * @param workspaceSize size of the writable {@code /workspace}: the limit on what a job can write there (a
     *     write past it fails with "No space left on device"); keep the tmpfs sizes together below {@code memory}
     * @param tmpSize size of the writable {@code /tmp}
     * @param outputLimit most bytes of stdout plus stderr a run may produce
     * @param reusePerAccount sandboxes kept, reset, for an account's next jobs (0: destroy every sandbox after
     *     its job)
     * @param reuseIdleTimeout how long a sandbox kept for an account may wait for its next job
     */
    public record Sandbox(
            @DefaultValue("localhost/paperpod/full") String image,
            @DefaultValue("2") int minIdle,
            @DefaultValue("4") int max,
            @DefaultValue("30s") Duration claimTimeout,
            @DefaultValue("30s") Duration agentReadyTimeout,
            @DefaultValue("/run/paperpod/sandboxes") Path socketRoot,
            @Nullable Path agentPath,
            @DefaultValue("1GB") DataSize memory,
            @DefaultValue("1.0") double cpus,
            @DefaultValue("256") long pids,
            @DefaultValue("auto") String userNamespace,
            @DefaultValue("bridge") String egressNetwork,
            @DefaultValue("0") int fullEgressMinIdle,
            @DefaultValue("2") int fullEgressMax,
            @DefaultValue("512MB") DataSize workspaceSize,
            @DefaultValue("256MB") DataSize tmpSize,
            @DefaultValue("1MB") DataSize outputLimit,
            @DefaultValue("4") int reusePerAccount,
            @DefaultValue("2m") Duration reuseIdleTimeout) {

        /** The same settings, sized for the pool of sandboxes with full egress. */
        public Sandbox forFullEgress() {
            return new Sandbox(
                    image,
                    fullEgressMinIdle,
                    fullEgressMax,
                    claimTimeout,
                    agentReadyTimeout,
                    socketRoot,
                    agentPath,
                    memory,
                    cpus,
                    pids,
                    userNamespace,
                    egressNetwork,
                    fullEgressMinIdle,
                    fullEgressMax,
                    workspaceSize,
                    tmpSize,
                    outputLimit,
                    reusePerAccount,
                    reuseIdleTimeout);
        }
    }
}
