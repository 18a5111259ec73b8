package dev.paperpod.worker.sandbox;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.api.model.Volume;
import dev.paperpod.agent.NativeAgent;
import dev.paperpod.worker.WorkerProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes as Podman containers, created through Podman's Docker-compatible API with docker-java. Each runs the
 * sandbox agent (the Go binary this build made, mounted read-only from the host) on a Unix socket in a host directory bind-mounted at {@value #SOCKET_MOUNT}. Hardened: every capability
 * dropped, {@code no-new-privileges}, a read-only root with tmpfs {@code /workspace} and {@code /tmp}, memory, CPU
 * and pids limits, and no network unless the runtime is made for full egress.
 */
public final class PodmanSandboxRuntime implements SandboxRuntime {

    private static final Logger log = LoggerFactory.getLogger(PodmanSandboxRuntime.class);

    static final String SOCKET_MOUNT = "/run/paperpod";
    static final String SCRATCH_MOUNT = "/run/paperpod-exec";
    private static final int NOBODY = 65534;
    private static final int MAX_SOCKET_PATH = 107;
    /** Removals tried when Podman answers that the container's filesystem is busy, {@code REMOVE_BACKOFF} apart. */
    private static final int REMOVE_ATTEMPTS = 4;

    private static final Duration REMOVE_BACKOFF = Duration.ofMillis(100);
    static final String LABEL_MANAGED = "dev.paperpod.managed";
    static final String LABEL_SANDBOX = "dev.paperpod.sandbox";
    static final String LABEL_WORKER = "dev.paperpod.worker";
    static final String LABEL_HOST = "dev.paperpod.host";
    static final String LABEL_OWNER = "dev.paperpod.owner";

    /** Where the agent is mounted in every sandbox. */
    private static final String AGENT_MOUNT = "/opt/paperpod/paperpod-agent";

    private final DockerClient docker;
    private final WorkerProperties.Sandbox settings;
    private final String network;
    private final String workerId;
    private final Clock clock;
    /** The host's copy of the agent, readable and executable by every sandbox's root. */
    private final Path agentPath;

    private final String host = hostName();

    /**
     * @param network the Podman network of the sandboxes this runtime makes, {@code none} for no network at all
     */
    public PodmanSandboxRuntime(
            DockerClient docker, WorkerProperties.Sandbox settings, String network, String workerId, Clock clock) {
        this.docker = docker;
        this.settings = settings;
        this.network = network;
        this.workerId = workerId;
        this.clock = clock;
        checkSocketPathLength(settings.socketRoot());
        Path configured = settings.agentPath();
        this.agentPath = installAgent(configured != null ? toUrl(configured) : builtAgent());
    }

    /** The agent this build made, packaged beside the protocol in the sandbox-agent jar. */
    private static URL builtAgent() {
        URL binary = NativeAgent.binary();
        if (binary == null) {
            throw new SandboxException("this build has no sandbox agent (" + NativeAgent.RESOURCE + " is not on the"
                    + " class path): build PaperPod with Go installed (apt-get install golang-go; ./paperpod does"
                    + " it), or set paperpod.worker.sandbox.agent-path to the agent binary");
        }
        return binary;
    }

    /** Linux caps a Unix socket's path at 107 bytes; past it, agents would listen where the worker cannot connect. */
    static void checkSocketPathLength(Path socketRoot) {
        String longest = socketRoot
                .toAbsolutePath()
                .resolve("sbx-123456789012")
                .resolve(Sandbox.SOCKET_NAME)
                .toString();
        int bytes = longest.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_SOCKET_PATH) {
            throw new SandboxException("paperpod.worker.sandbox.socket-root " + socketRoot + " is too long: an agent"
                    + " socket under it would have a " + bytes + "-byte path, and Unix sockets allow "
                    + MAX_SOCKET_PATH + "; choose a root of at most "
                    + (socketRoot.toAbsolutePath().toString().length() - (bytes - MAX_SOCKET_PATH))
                    + " characters, such as /run/paperpod/sandboxes");
        }
    }

    /** Fails with a clear message when the image has not been built. */
    public void checkImage() {
        try {
            docker.inspectImageCmd(settings.image()).exec();
        } catch (NotFoundException e) {
            throw new SandboxException("sandbox image " + settings.image()
                    + " not found: build it with infra/sandbox/build-images.sh (./paperpod up does)");
        }
    }

    @Override
    public Sandbox create() {
        String id = "sbx-" + UUID.randomUUID().toString().substring(0, 12);
        Path socketDir = settings.socketRoot().resolve(id);
        try {
            Files.createDirectories(socketDir);
            // The sandbox's root is another uid on the host (user namespace): it must be able to create the socket.
            // The directory is sealed once the agent listens; the root above is not listable meanwhile.
            Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        } catch (IOException e) {
            throw new SandboxException("cannot create " + socketDir + " for the agent socket", e);
        }
        List<String> command = List.of(AGENT_MOUNT, SOCKET_MOUNT + "/" + Sandbox.SOCKET_NAME);
        HostConfig host = HostConfig.newHostConfig()
                .withBinds(
                        new Bind(socketDir.toString(), new Volume(SOCKET_MOUNT), AccessMode.rw),
                        new Bind(agentPath.toString(), new Volume(AGENT_MOUNT), AccessMode.ro))
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of(
                        "/workspace",
                                "rw,exec,nosuid,nodev,size="
                                        + settings.workspaceSize().toBytes(),
                        "/tmp",
                                "rw,exec,nosuid,nodev,size="
                                        + settings.tmpSize().toBytes()))
                .withMemory(settings.memory().toBytes())
                .withMemorySwap(settings.memory().toBytes())
                .withNanoCPUs((long) (settings.cpus() * 1_000_000_000L))
                .withPidsLimit(settings.pids())
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                // Podman's defaults exceed the host's hard limits and runc then fails to set them, so we name our own,
                // below any host's hard limit. pids-limit, not nproc, is the real bound on processes.
                .withUlimits(List.of(new Ulimit("nofile", 4096L, 4096L), new Ulimit("nproc", 16384L, 16384L)))
                .withNetworkMode(network)
                .withInit(true);
        if (!settings.userNamespace().equals("host")) {
            // root in the sandbox is an unprivileged uid of the host (a range from /etc/subuid for "containers")
            host.withUsernsMode(settings.userNamespace());
        }
        Instant created = clock.instant();
        CreateContainerResponse container;
        try {
            container = onceMoreIfCut(
                    () -> docker.createContainerCmd(settings.image())
                            .withName("paperpod-" + id)
                            .withLabels(labels(id, workerId))
                            .withEnv(
                                    "HOME=/workspace",
                                    "LANG=C.UTF-8",
                                    // The root is read-only: what users install goes under HOME, and is found there.
                                    // pip
                                    // installs for the user by itself when site-packages is not writable; npm -g needs
                                    // telling.
                                    "PATH=/workspace/.local/bin:/workspace/.npm-global/bin:/usr/local/sbin:/usr/local/bin"
                                            + ":/usr/sbin:/usr/bin:/sbin:/bin",
                                    "NPM_CONFIG_PREFIX=/workspace/.npm-global",
                                    "PAPERPOD_AGENT_CWD=/workspace",
                                    "PAPERPOD_AGENT_SCRATCH=" + SCRATCH_MOUNT,
                                    // every process but the agent and init is a job's: a reset kills them all
                                    "PAPERPOD_AGENT_OWNS_PID_NAMESPACE=true",
                                    "PAPERPOD_AGENT_RESET_DIRS=/workspace:/tmp:/dev/shm:" + SCRATCH_MOUNT)
                            .withWorkingDir("/workspace")
                            .withCmd(command)
                            .withHostConfig(host)
                            .exec(),
                    () -> remove(docker, "paperpod-" + id, "sandbox " + id));
        } catch (RuntimeException e) {
            deleteQuietly(socketDir);
            throw new SandboxException("cannot create a sandbox from " + settings.image() + ": " + e.getMessage(), e);
        }
        Sandbox sandbox = new Sandbox(id, container.getId(), socketDir, created);
        try {
            start(docker, container.getId());
        } catch (RuntimeException e) {
            destroy(sandbox);
            throw new SandboxException("cannot start sandbox " + id + ": " + e.getMessage(), e);
        }
        return sandbox;
    }

    /**
     * Gives the socket directory to {@value #NOBODY} with mode 0555: root inside the sandbox has no capability to
     * override file permissions or ownership (all are dropped), so it can neither write there nor chmod it back.
     */
    @Override
    public void seal(Sandbox sandbox) {
        try {
            Files.setPosixFilePermissions(sandbox.socketDir(), PosixFilePermissions.fromString("r-xr-xr-x"));
            Files.setAttribute(sandbox.socketDir(), "unix:uid", NOBODY);
            Files.setAttribute(sandbox.socketDir(), "unix:gid", NOBODY);
        } catch (IOException | UnsupportedOperationException e) {
            throw new SandboxException("cannot seal the socket directory of sandbox " + sandbox.id(), e);
        }
    }

    @Override
    public void destroy(Sandbox sandbox) {
        remove(docker, sandbox.containerId(), "sandbox " + sandbox.id());
        deleteQuietly(sandbox.socketDir());
    }

    /**
     * Makes a call to Podman's API once more, a second later, when the service dropped it without an answer: PaperPod
     * restarts a Podman service that hangs (see {@code PodmanService}), which cuts the calls in flight, and the call
     * then finds the new one. {@code beforeRetry} undoes what the lost call may have done (a container it created).
     */
    public static <T> T onceMoreIfCut(Supplier<T> call, Runnable beforeRetry) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            if (!cut(e)) {
                throw e;
            }
            log.warn("Podman dropped a call without an answer ({}); trying once more", e.getMessage());
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            beforeRetry.run();
            return call.get();
        }
    }

    /** Starts a container, once more if the call was cut; one started already (by the cut call) is fine. */
    public static void start(DockerClient docker, String containerId) {
        onceMoreIfCut(
                () -> {
                    try {
                        docker.startContainerCmd(containerId).exec();
                    } catch (NotModifiedException e) {
                        // started by the call that was cut
                    }
                    return null;
                },
                () -> {});
    }

    /** A call the service dropped or refused at the transport: no answer, a closed connection, no socket. */
    private static boolean cut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Removes a container PaperPod made, whatever runs in it; one that is gone already is fine.
     *
     * @param what the container, as the log names it ({@code sandbox sbx-…})
     */
    public static void remove(DockerClient docker, String containerId, String what) {
        for (int attempt = 1; ; attempt++) {
            try {
                docker.removeContainerCmd(containerId)
                        .withForce(true)
                        .withRemoveVolumes(true)
                        .exec();
                return;
            } catch (NotFoundException e) {
                return; // already gone
            } catch (InternalServerErrorException e) {
                // Podman 4.3, removing a container it has just killed, may find its filesystem still mounted
                // ("device or resource busy"); a moment later it is not
                if (attempt == REMOVE_ATTEMPTS
                        || !String.valueOf(e.getMessage()).contains("resource busy")) {
                    log.warn("Cannot remove {} ({}): {}", what, containerId, e.toString());
                    return;
                }
                if (!pause(REMOVE_BACKOFF.multipliedBy(attempt))) {
                    return;
                }
            } catch (RuntimeException e) {
                log.warn("Cannot remove {} ({}): {}", what, containerId, e.toString());
                return;
            }
        }
    }

    /**
     * The labels of a container PaperPod makes, {@code id} being its own name for it: {@link #reapLeftovers} of any
     * worker on this host removes it once the process that made it is gone.
     */
    public static Map<String, String> labels(String id, String workerId) {
        return Map.of(
                LABEL_MANAGED,
                "true",
                LABEL_SANDBOX,
                id,
                LABEL_WORKER,
                workerId,
                LABEL_HOST,
                hostName(),
                LABEL_OWNER,
                ownerOf(ProcessHandle.current()));
    }

    /** Waits; false when interrupted (the interrupt kept for the caller). */
    private static boolean pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public int reapLeftovers() {
        List<Container> managed = docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(LABEL_MANAGED, "true", LABEL_HOST, host))
                .exec();
        int reaped = 0;
        for (Container c : managed) {
            Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
            if (ownerAlive(labels.getOrDefault(LABEL_OWNER, ""))) {
                continue;
            }
            String id = labels.getOrDefault(LABEL_SANDBOX, c.getId());
            log.info("Removing sandbox {} left by worker {}", id, labels.get(LABEL_WORKER));
            destroy(new Sandbox(id, c.getId(), settings.socketRoot().resolve(id), clock.instant()));
            reaped++;
        }
        return reaped;
    }

    /** Whether the process that created a container ({@code pid@startMillis}) still runs. */
    private static boolean ownerAlive(String owner) {
        int at = owner.indexOf('@');
        if (at < 0) {
            return false;
        }
        try {
            long pid = Long.parseLong(owner.substring(0, at));
            return ProcessHandle.of(pid)
                    .map(PodmanSandboxRuntime::ownerOf)
                    .filter(owner::equals)
                    .isPresent();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String ownerOf(ProcessHandle process) {
        long started = process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        return process.pid() + "@" + started;
    }

    private static URL toUrl(Path path) {
        try {
            return path.toUri().toURL();
        } catch (java.net.MalformedURLException e) {
            throw new SandboxException("paperpod.worker.sandbox.agent-path " + path + " is not a usable path", e);
        }
    }

    /**
     * Copies the agent (from the class path, or a configured path) to {@code <socket-root>/.agent}, executable by
     * everyone (under a user namespace the sandbox's root is an unprivileged uid, which may not traverse the directory
     * the worker runs from), by a rename so that no sandbox ever starts a half-written binary.
     */
    private Path installAgent(URL binary) {
        try {
            Path dir = installDirectory();
            Path target = dir.resolve(NativeAgent.RESOURCE);
            Path temp = Files.createTempFile(dir, NativeAgent.RESOURCE, ".part");
            try (var in = binary.openStream()) {
                Files.copy(in, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(
                        temp,
                        target,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            return target;
        } catch (IOException e) {
            throw new SandboxException(
                    "cannot install the sandbox agent from " + binary + " under " + settings.socketRoot(), e);
        }
    }

    /** {@code <socket-root>/.agent}, readable by everyone; the root itself is not listable. */
    private Path installDirectory() throws IOException {
        Path root = settings.socketRoot();
        Files.createDirectories(root);
        // Others may reach a sandbox's directory by its (random) name, but not list them.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        Path dir = Files.createDirectories(root.resolve(".agent"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("localhost");
        }
    }

    /** Deletes a directory and everything in it, as far as it can; what it cannot is logged. */
    public static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log.debug("Cannot delete {}: {}", dir, e.toString());
        }
    }
}
