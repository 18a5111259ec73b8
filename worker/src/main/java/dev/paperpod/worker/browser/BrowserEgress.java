package dev.paperpod.worker.browser;

import dev.paperpod.schemas.net.InternalAddresses;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the browsers may reach: the public internet, never an {@link InternalAddresses internal} address nor one of
 * this machine's own, unless the operator allows a block ({@code paperpod.worker.browser.egress-allow}). The rules are
 * enforced inside each browser container by its egress proxy ({@code infra/sandbox/browser/egress-proxy.js}), which
 * every request of the page goes through; they reach it as environment variables. Chromium does not show the proxy's
 * answer to a refused HTTPS connection, so the worker tells why from the same rules.
 */
final class BrowserEgress {

    static final String HEADER = "x-paperpod-egress";

    private final List<String> denied;
    private final List<String> allowed;

    BrowserEgress(List<String> allowed) {
        allowed.forEach(InternalAddresses::check);
        this.allowed = List.copyOf(allowed);
        Set<String> denied = new LinkedHashSet<>(InternalAddresses.RANGES);
        denied.addAll(ownAddresses());
        this.denied = List.copyOf(denied);
    }

    /** The proxy's settings, for the container's environment. */
    List<String> environment() {
        return List.of(
                "PAPERPOD_EGRESS_DENY=" + String.join(",", denied),
                "PAPERPOD_EGRESS_ALLOW=" + String.join(",", allowed));
    }

    /**
     * Why Playwright's {@code message} is a refusal of these rules: Chromium says only
     * {@code net::ERR_TUNNEL_CONNECTION_FAILED} when the proxy refuses an HTTPS connection. Null for any other failure.
     *
     * @param url the address that failed
     */
    @Nullable
    String refusalBehind(String message, @Nullable String url) {
        return message.contains("net::ERR_TUNNEL_CONNECTION_FAILED") ? refusal(url) : null;
    }

    /** What the proxy's {@value #HEADER} header says after its first word ({@code refused} or {@code failed}). */
    static String why(String header) {
        return header.substring(header.indexOf(' ') + 1);
    }

    /**
     * Why a connection to {@code url}'s host was refused, when these rules refuse it; null when they do not (the
     * failure was the site's).
     */
    @Nullable
    String refusal(@Nullable String url) {
        String host;
        try {
            host = url == null ? null : URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (host == null) {
            return null;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (isDenied(address)) {
                    String what =
                            host.equals(address.getHostAddress()) || host.equals("[" + address.getHostAddress() + "]")
                                    ? address.getHostAddress()
                                    : host + " (" + address.getHostAddress() + ")";
                    return what + " is a private, loopback, link-local or PaperPod address";
                }
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    private boolean isDenied(InetAddress address) {
        return denied.stream().anyMatch(block -> InternalAddresses.matches(block, address))
                && allowed.stream().noneMatch(block -> InternalAddresses.matches(block, address));
    }

    /** This machine's addresses: a page must not reach the host's own services by its public address either. */
    private static List<String> ownAddresses() {
        List<String> own = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (!InternalAddresses.isInternal(address)) {
                        String text = address.getHostAddress();
                        int zone = text.indexOf('%');
                        own.add((zone < 0 ? text : text.substring(0, zone))
                                + (address.getAddress().length == 4 ? "/32" : "/128"));
                    }
                }
            }
        } catch (SocketException e) {
            throw new BrowserException("cannot list this machine's addresses for the browsers' egress rules: " + e);
        }
        return own;
    }
}
