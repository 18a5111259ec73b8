package dev.paperpod.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Podman's Docker-compatible API service, which docker-java and Testcontainers talk to. Reuses a service that
 * already answers on the socket; otherwise starts {@code podman system service} and stops it again on close.
 *
 * <p>A service can hang while answering {@code /_ping}: one stuck on a container's lock (a creation that never
 * finished, the container left in {@code Created}) made every later creation wait for the pool's timeout. Before
 * reuse the service must therefore also list the containers in time; a hung one that PaperPod started (its pid is
 * beside the socket) is killed and replaced, any other is refused with what to do. While PaperPod runs, {@link
 * #watch} probes the same way and restarts a service it started that hangs.
 */
public final class PodmanService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PodmanService.class);

    /**
     * The flags every Podman call of ours carries: crun fails on hybrid-cgroup hosts, runc with the cgroupfs
     * manager works everywhere we run (see {@code infra/podman-env.sh}, which must agree).
     */
    public static final List<String> DEFAULT_FLAGS = List.of("--runtime", "runc", "--cgroup-manager", "cgroupfs");

    /**
     * Settings for containers created through our service by any client (Testcontainers too). Podman's default
     * {@code nofile} limit exceeds the hard limit of many hosts, and runc then fails to start the container
     * ("error setting rlimit type 7"): use limits every host allows. The process count is bounded by each
     * container's pids limit, not by nproc.
     */
    private static final String CONTAINERS_CONF = """
            # Written by PaperPod for the Podman API service it starts.
            [containers]
            default_ulimits = ["nofile=4096:4096", "nproc=16384:16384"]

            [engine]
            runtime = "runc"
            cgroup_manager = "cgroupfs"
            """;

    /** How long a listing of all containers may take before the service counts as hung. */
    private static final Duration PROBE = Duration.ofSeconds(10);

    private static final String MARKER = "system service";

    /** The probe: every container, so it waits on any container's lock a hung service holds. */
    private static final String LISTING = "/containers/json?all=true";

    private final Path socket;
    private final List<String> flags;
    private final Path logFile;
    /** The service this one started (null: reused), replaced by {@link #check} when it hangs. */
    private volatile @Nullable Process process;

    private volatile @Nullable Thread watchdog;

    private PodmanService(Path socket, List<String> flags, Path logFile, @Nullable Process process) {
        this.socket = socket;
        this.flags = List.copyOf(flags);
        this.logFile = logFile;
        this.process = process;
    }

    /** The socket path of the service for this user: rootful under {@code /run}, rootless under XDG_RUNTIME_DIR. */
    public static Path defaultSocket() {
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root || runtimeDir == null) {
            return Path.of("/run/podman/podman.sock");
        }
        return Path.of(runtimeDir, "podman", "podman.sock");
    }

    /** Answers a service on {@code socket}, starting one when none answers. */
    public static PodmanService ensureRunning(Path socket, List<String> flags, Path logFile) {
        if (ping(socket)) {
            if (status(socket, LISTING, PROBE) == 200) {
                log.info("Using the Podman service already on {}", socket);
                return new PodmanService(socket, flags, logFile, null);
            }
            log.warn(
                    "The Podman service on {} answers /_ping but lists no containers within {} s: hung; replacing it",
                    socket,
                    PROBE.toSeconds());
            if (!stopHung(socket, null)) {
                throw new IllegalStateException(strangerHung(socket));
            }
        }
        PodmanService service = new PodmanService(socket, flags, logFile, start(socket, flags, logFile));
        log.info("Started the Podman service on {}", socket);
        return service;
    }

    /**
     * Probes the service every {@code interval} from a daemon thread ({@link #check}) until closed. A hung service
     * makes every sandbox creation wait for its timeout; this ends it within an interval and a probe.
     */
    public PodmanService watch(Duration interval) {
        Thread thread = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            Thread.sleep(interval.toMillis());
                            check();
                        } catch (InterruptedException e) {
                            return;
                        } catch (RuntimeException e) {
                            log.error("Checking the Podman service on {} failed", socket, e);
                        }
                    }
                },
                "podman-watchdog");
        thread.setDaemon(true);
        watchdog = thread;
        thread.start();
        return this;
    }

    /**
     * Whether the service lists its containers within the probe's time. If not, one that PaperPod started (this one
     * or an earlier one, by its pid) is killed and started again (then true); one it did not start is reported, for
     * someone to stop (false).
     */
    boolean check() {
        if (status(socket, LISTING, PROBE) == 200) {
            return true;
        }
        log.warn(
                "The Podman service on {} lists no containers within {} s: hung; restarting it",
                socket,
                PROBE.toSeconds());
        if (!stopHung(socket, process)) {
            log.error("{}", strangerHung(socket));
            return false;
        }
        process = start(socket, flags, logFile);
        log.info("Restarted the Podman service on {}", socket);
        return true;
    }

    /** Starts {@code podman system service} on the socket and waits until it answers; keeps its pid beside it. */
    private static Process start(Path socket, List<String> flags, Path logFile) {
        try {
            Files.createDirectories(socket.getParent());
            Files.createDirectories(logFile.getParent());
            // The service outlives its starter and is reused by later ones: its configuration and its working
            // directory are beside the socket, not in the starter's directory. In a deleted directory (a test's
            // or a CI clone's) it could start no container any more ("write child: broken pipe").
            Path conf = socket.resolveSibling("paperpod-containers.conf");
            Files.writeString(conf, CONTAINERS_CONF);
            List<String> command = new ArrayList<>();
            command.add("podman");
            command.addAll(flags);
            command.addAll(List.of("system", "service", "--time=0", "unix://" + socket));
            ProcessBuilder builder = new ProcessBuilder(ChildProcesses.detached(command));
            builder.environment().put("CONTAINERS_CONF", conf.toString());
            builder.directory(socket.getParent().toFile());
            Process process = builder.redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!ping(socket)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("podman system service exited with code " + process.exitValue()
                            + "; its log ends:\n" + ChildProcesses.tail(logFile, 20));
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("podman system service did not answer on " + socket
                            + " within 30 s; its log ends:\n" + ChildProcesses.tail(logFile, 20));
                }
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            Files.writeString(pidFile(socket), process.pid() + "\n");
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot start 'podman system service' (is Podman installed? ./paperpod doctor tells)", e);
        }
    }

    /** Where the pid of a service PaperPod started on {@code socket} is kept, for its replacement if it hangs. */
    static Path pidFile(Path socket) {
        return socket.resolveSibling("paperpod-podman.pid");
    }

    /**
     * Stops a hung service: {@code ours} if this started it, else the one whose pid PaperPod kept beside the socket.
     * False when something else still answers on the socket: a service PaperPod did not start.
     */
    private static boolean stopHung(Path socket, @Nullable Process ours) {
        // SIGTERM alone did not stop a hung service: SIGKILL at once for ours, after a short grace for a leftover
        if (ours != null) {
            ours.destroyForcibly();
            ours.onExit().orTimeout(10, TimeUnit.SECONDS).join();
        } else {
            ChildProcesses.stopLeftover(pidFile(socket), MARKER, Duration.ofSeconds(5));
        }
        if (ping(socket)) {
            return false;
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the hung Podman service's socket " + socket, e);
        }
        return true;
    }

    private static String strangerHung(Path socket) {
        return "The Podman service on " + socket + " is hung (it answers /_ping but lists no containers within "
                + PROBE.toSeconds() + " s) and PaperPod did not start it (no live Podman service's pid in "
                + pidFile(socket) + "). Stop it, e.g. pkill -KILL -f 'podman.*system service', and start again.";
    }

    /** Whether a Docker-compatible API answers {@code GET /_ping} on the socket within two seconds. */
    public static boolean ping(Path socket) {
        return status(socket, "/_ping", Duration.ofSeconds(2)) == 200;
    }

    /** The HTTP status of {@code GET path} on the socket, or -1 when no answer's head arrives in {@code timeout}. */
    static int status(Path socket, String path, Duration timeout) {
        if (!Files.exists(socket)) {
            return -1;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: podman\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer answer = ByteBuffer.allocate(1024);
            String text = "";
            while (!text.contains("\r\n\r\n") && answer.hasRemaining()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0 || selector.select(left) == 0 && System.nanoTime() >= deadline) {
                    return -1;
                }
                selector.selectedKeys().clear();
                if (channel.read(answer) < 0) {
                    break;
                }
                text = new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
            }
            if (!text.startsWith("HTTP/1.") || text.length() < 12) {
                return -1;
            }
            return Integer.parseInt(text.substring(9, 12));
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    public Path socket() {
        return socket;
    }

    /** The Docker-style host URI, e.g. {@code unix:///run/podman/podman.sock}. */
    public String dockerHost() {
        return "unix://" + socket;
    }

    @Override
    public void close() {
        Thread thread = watchdog;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Process process = this.process;
        if (process != null && process.isAlive()) {
            ChildProcesses.stop(process.toHandle(), Duration.ofSeconds(10));
            try {
                Files.deleteIfExists(pidFile(socket));
            } catch (IOException e) {
                log.debug("Cannot remove {}", pidFile(socket), e);
            }
        }
    }
}
