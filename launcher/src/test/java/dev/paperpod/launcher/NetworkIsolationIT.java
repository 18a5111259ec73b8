package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.api.auth.AccountTokens;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.store.AccountStore;
import dev.paperpod.worker.account.TunnelServer;
import dev.paperpod.worker.metrics.MetricsEndpoint;
import java.net.Inet4Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Whatever its egress policy, a sandbox reaches none of PaperPod's own services: not the API, not PostgreSQL, not
 * Kafka, not the Podman socket, not the worker's listeners. With {@code full} it reaches the outside world; with
 * {@code none}, nothing, and a call out fails at once.
 */
@ExtendWith(SharedStack.class)
class NetworkIsolationIT {

    /** Tries each address and port; prints "open host:port" for any that accepts, then whether the web answers. */
    private static final String PROBE = """
            import os, socket, struct, urllib.request
            targets = os.environ["TARGETS"].split()
            ports = [int(p) for p in os.environ["PORTS"].split()]
            with open("/proc/net/route") as f:
                for line in f.readlines()[1:]:
                    fields = line.split()
                    if fields[1] == "00000000":
                        targets.append(socket.inet_ntoa(struct.pack("<L", int(fields[2], 16))))
            for host in targets:
                for port in ports:
                    try:
                        socket.create_connection((host, port), timeout=2).close()
                        print("open %s:%d" % (host, port))
                    except OSError:
                        pass
            print("podman socket visible" if os.path.exists("/run/podman/podman.sock") else "no podman socket")
            try:
                status = urllib.request.urlopen("http://deb.debian.org/debian/dists/bookworm/Release", timeout=10).status
                print("web %d" % status)
            except Exception as e:
                print("no web")
                # without a network the call fails at once (no route, no resolver), never by waiting out a timeout
                print("timed out" if "timed out" in str(e) else "refused at once")
            """;

    private final Api api;
    private final EmbeddedStack stack;

    NetworkIsolationIT(Api api, EmbeddedStack stack) {
        this.api = api.withSandbox("ephemeral"); // the pool path: a fresh sandbox per call
        this.stack = stack;
    }

    @ParameterizedTest(name = "network {0}")
    @ValueSource(strings = {"none", "full"})
    void aSandboxReachesNoneOfPaperPodsServices(String network) throws SocketException {
        String ports = stack.apiPort() + " " + stack.postgres().port() + " "
                + stack.kafka().port();
        Api.Response response = api.post(
                "/execute",
                Map.of(
                        "language",
                        "python",
                        "code",
                        PROBE,
                        "network",
                        network,
                        "timeoutMs",
                        60_000,
                        "env",
                        Map.of("TARGETS", "127.0.0.1 " + hostAddresses(), "PORTS", ports)));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode result = response.json();
        assertThat(result.path("stderr").asString()).isEmpty();
        List<String> lines = result.path("stdout").asString().lines().toList();
        assertThat(lines).noneMatch(l -> l.startsWith("open "));
        assertThat(lines).contains("no podman socket");
        assertThat(lines).contains(network.equals("full") ? "web 200" : "no web");
        if (network.equals("none")) {
            assertThat(lines).contains("refused at once");
        }
    }

    /**
     * An account's own sandbox (which reaches the internet by default) reaches none of them either, nor the worker's
     * own listeners (its tunnel listener, its metrics), nor the cloud metadata address.
     */
    @Test
    void anAccountsOwnSandboxReachesTheWebButNoneOfPaperPodsServices() throws SocketException {
        ConfigurableApplicationContext worker = stack.workers().get(0);
        String tunnel = worker.getBean(TunnelServer.class).tunnel().address();
        int metrics = worker.getBean(MetricsEndpoint.class).port();
        String ports = stack.apiPort() + " " + stack.postgres().port() + " "
                + stack.kafka().port() + " " + tunnel.substring(tunnel.lastIndexOf(':') + 1) + " " + metrics + " 80";
        Api.Response response = api.withSandbox("isolation-probe")
                .post(
                        "/execute",
                        Map.of(
                                "language",
                                "python",
                                "code",
                                PROBE,
                                "timeoutMs",
                                120_000,
                                "env",
                                Map.of("TARGETS", "127.0.0.1 169.254.169.254 " + hostAddresses(), "PORTS", ports)));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        List<String> lines = response.json().path("stdout").asString().lines().toList();
        assertThat(lines).noneMatch(l -> l.startsWith("open "));
        assertThat(lines).contains("no podman socket");
        assertThat(lines).contains("web 200");
    }

    /**
     * An account whose setting is {@code none} gets its own sandboxes without a network, whichever call makes them (an
     * exec, a command, a streamed file); a call out fails at once. The deployment's default is {@code full}.
     */
    @Test
    void anAccountSetToNoNetworkGetsSandboxesWithout() throws SocketException {
        String token = "pp_locked_" + UUID.randomUUID();
        UUID account = stack.api()
                .getBean(AccountTokens.class)
                .register("locked-" + token, "test", token)
                .accountId();
        stack.api().getBean(AccountStore.class).setSandboxNetwork(account, Egress.NONE);
        Api locked = api.withToken(token);

        Api.Response ran = locked.withSandbox("default")
                .post(
                        "/execute",
                        Map.of(
                                "language",
                                "python",
                                "code",
                                PROBE,
                                "timeoutMs",
                                60_000,
                                "env",
                                Map.of("TARGETS", "127.0.0.1 " + hostAddresses(), "PORTS", "" + stack.apiPort())));
        assertThat(ran.status()).as(ran.toString()).isEqualTo(200);
        List<String> lines = ran.json().path("stdout").asString().lines().toList();
        assertThat(lines).contains("no web", "refused at once");
        assertThat(lines).noneMatch(l -> l.startsWith("open "));
        assertThat(locked.withSandbox("default")
                        .get("/status")
                        .json()
                        .path("network")
                        .asString())
                .isEqualTo("none");

        Api.Response streamed = locked.withSandbox("streamed")
                .put("/files/content?path=made-by-a-stream.txt", "hi".getBytes(StandardCharsets.UTF_8));
        assertThat(streamed.status()).as(streamed.toString()).isEqualTo(200);
        assertThat(locked.withSandbox("streamed")
                        .get("/status")
                        .json()
                        .path("network")
                        .asString())
                .as("made by a streamed file")
                .isEqualTo("none");
        assertThat(api.withSandbox("default")
                        .get("/status")
                        .json()
                        .path("network")
                        .asString())
                .as("another account's: the deployment's default")
                .isEqualTo("full");
    }

    /** Every IPv4 address of this machine but loopback: what a sandbox would try to reach the host by. */
    private static String hostAddresses() throws SocketException {
        return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .map(a -> a.getHostAddress())
                .collect(Collectors.joining(" "));
    }
}
