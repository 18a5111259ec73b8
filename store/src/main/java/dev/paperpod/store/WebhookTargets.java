package dev.paperpod.store;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * The SSRF guard of webhooks: a URL whose host is, or resolves to, a private, loopback, link-local, unique-local,
 * multicast or unspecified address is refused, unless that host or address is allow-listed
 * ({@code paperpod.webhooks.allowed-targets}: host names, addresses or CIDR blocks). Checked when an endpoint is
 * registered and again before every attempt, as DNS answers change.
 */
public final class WebhookTargets {

    private final List<String> allowed;

    public WebhookTargets(List<String> allowed) {
        this.allowed =
                allowed.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Why PaperPod will not post to {@code url}, or empty when it may. */
    public Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Optional.of("'" + url + "' is not a URL");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            return Optional.of("only http and https URLs receive webhooks");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return Optional.of("'" + url + "' has no host");
        }
        if (allowed.contains(host)) {
            return Optional.empty();
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return Optional.of("host " + host + " does not resolve");
        }
        for (InetAddress address : addresses) {
            if (isInternal(address) && !isAllowed(address)) {
                return Optional.of(host + " is " + address.getHostAddress()
                        + ", a private, loopback or link-local address; PaperPod posts only to public addresses"
                        + " unless the operator allow-lists it (paperpod.webhooks.allowed-targets)");
            }
        }
        return Optional.empty();
    }

    static boolean isInternal(InetAddress a) {
        byte[] b = a.getAddress();
        boolean uniqueLocalV6 = b.length == 16 && (b[0] & 0xfe) == 0xfc;
        boolean sharedV4 = b.length == 4 && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64; // 100.64.0.0/10
        return a.isLoopbackAddress()
                || a.isSiteLocalAddress()
                || a.isLinkLocalAddress()
                || a.isAnyLocalAddress()
                || a.isMulticastAddress()
                || uniqueLocalV6
                || sharedV4;
    }

    private boolean isAllowed(InetAddress address) {
        for (String entry : allowed) {
            if (matches(entry, address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String entry, InetAddress address) {
        try {
            int slash = entry.indexOf('/');
            InetAddress network = InetAddress.getByName(slash < 0 ? entry : entry.substring(0, slash));
            byte[] a = address.getAddress();
            byte[] n = network.getAddress();
            if (a.length != n.length) {
                return false;
            }
            int bits = slash < 0 ? a.length * 8 : Integer.parseInt(entry.substring(slash + 1));
            for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
                if ((a[i] & mask) != (n[i] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | NumberFormatException e) {
            return false;
        }
    }
}
