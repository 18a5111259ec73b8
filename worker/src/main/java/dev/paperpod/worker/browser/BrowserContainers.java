package dev.paperpod.worker.browser;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ulimit;
import com.github.dockerjava.api.model.Volume;
import dev.paperpod.worker.WorkerProperties;
import dev.paperpod.worker.sandbox.PodmanSandboxRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Browser containers, made through Podman's Docker-compatible API like the sandboxes and hardened like them: every
 * capability dropped, {@code no-new-privileges}, a read-only root with a tmpfs {@code /tmp}, memory, CPU and pids
 * limits, a user namespace. Each runs Chromium behind playwright-core's browser server on port {@value #PORT} of its
 * own address on the egress network, at a secret path: what reaches the address without the key drives nothing. Its
 * pages reach only what {@link BrowserEgress} allows, through the container's egress proxy.
 */
public final class BrowserContainers {

    static final int PORT = 3000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DockerClient docker;
    private final WorkerProperties.Browser settings;
    private final String workerId;
    private final BrowserEgress egress;
    private final @Nullable PreviewRelay previews;

    /** @param previews the relay to preview URLs whose socket every container gets, or null for none */
    public BrowserContainers(
            DockerClient docker, WorkerProperties.Browser settings, String workerId, @Nullable PreviewRelay previews) {
        this.docker = docker;
        this.settings = settings;
        this.workerId = workerId;
        this.egress = new BrowserEgress(settings.egressAllow());
        this.previews = previews;
    }

    /** The rules the containers' egress proxies enforce. */
    BrowserEgress egress() {
        return egress;
    }

    /**
     * A started browser container.
     *
     * @param endpoint the WebSocket address of its browser server, the key in it
     */
    public record Container(String id, String containerId, String endpoint) {}

    /** Fails with a clear message when the image has not been built. */
    public void checkImage() {
        try {
            docker.inspectImageCmd(settings.image()).exec();
        } catch (NotFoundException e) {
            throw new BrowserException("browser image " + settings.image()
                    + " not found: build it with infra/sandbox/build-images.sh browser (./paperpod up does), or set"
                    + " paperpod.worker.browser.enabled=false");
        }
    }

    /**
     * Makes a browser container and waits until its server takes connections.
     *
     * @throws BrowserException when it cannot be made or does not come up within the ready timeout
     */
    public Container create() {
        String id = "brw-" + UUID.randomUUID().toString().substring(0, 12);
        byte[] secret = new byte[24];
        RANDOM.nextBytes(secret);
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        HostConfig host = HostConfig.newHostConfig()
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=512m", "/workspace", "rw,nosuid,nodev,size=64m"))
                .withShmSize(64L * 1024 * 1024)
                .withMemory(settings.memory().toBytes())
                .withMemorySwap(settings.memory().toBytes())
                .withNanoCPUs((long) (settings.cpus() * 1_000_000_000L))
                .withPidsLimit(settings.pids())
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withUlimits(List.of(new Ulimit("nofile", 4096L, 4096L), new Ulimit("nproc", 16384L, 16384L)))
                .withNetworkMode(settings.network())
                .withInit(true);
        if (!settings.userNamespace().equals("host")) {
            host.withUsernsMode(settings.userNamespace());
        }
        if (previews != null) {
            host.withBinds(new Bind(previews.dir().toString(), new Volume(PreviewRelay.MOUNT), AccessMode.rw));
        }
        CreateContainerResponse created;
        try {
            created = PodmanSandboxRuntime.onceMoreIfCut(
                    () -> docker.createContainerCmd(settings.image())
                            .withName("paperpod-" + id)
                            .withLabels(PodmanSandboxRuntime.labels(id, workerId))
                            .withEnv(environment(key))
                            .withHostConfig(host)
                            .exec(),
                    () -> PodmanSandboxRuntime.remove(docker, "paperpod-" + id, "browser " + id));
        } catch (RuntimeException e) {
            throw new BrowserException("cannot create a browser from " + settings.image() + ": " + e.getMessage(), e);
        }
        try {
            PodmanSandboxRuntime.start(docker, created.getId());
            String address = address(created.getId());
            awaitListening(id, address);
            return new Container(id, created.getId(), "ws://" + address + ":" + PORT + "/" + key);
        } catch (RuntimeException e) {
            PodmanSandboxRuntime.remove(docker, created.getId(), "browser " + id);
            throw e instanceof BrowserException b
                    ? b
                    : new BrowserException("cannot start browser " + id + ": " + e, e);
        }
    }

    private List<String> environment(String key) {
        List<String> env = new ArrayList<>(
                List.of("PAPERPOD_BROWSER_KEY=" + key, "PAPERPOD_BROWSER_PORT=" + PORT, "HOME=/workspace"));
        env.addAll(egress.environment());
        if (previews != null) {
            env.add("PAPERPOD_PREVIEW_SOCKET=" + PreviewRelay.MOUNT + "/" + PreviewRelay.SOCKET);
            env.add("PAPERPOD_PREVIEW_DOMAIN=" + settings.previewDomain());
        }
        return env;
    }

    public void destroy(Container container) {
        PodmanSandboxRuntime.remove(docker, container.containerId(), "browser " + container.id());
    }

    private String address(String containerId) {
        Map<String, ContainerNetwork> networks = docker.inspectContainerCmd(containerId)
                .exec()
                .getNetworkSettings()
                .getNetworks();
        return networks.values().stream()
                .map(ContainerNetwork::getIpAddress)
                .filter(a -> a != null && !a.isEmpty())
                .findFirst()
                .orElseThrow(() -> new BrowserException("the browser container has no address on network "
                        + settings.network() + " (paperpod.worker.browser.network)"));
    }

    /** Until the browser server accepts a connection: Chromium's start, a few hundred milliseconds. */
    private void awaitListening(String id, String address) {
        long deadline = System.nanoTime() + settings.readyTimeout().toNanos();
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(address, PORT), 1_000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new BrowserException("browser " + id + " did not take connections within "
                            + settings.readyTimeout().toSeconds() + " s: " + e.getMessage());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }
}
