package dev.paperpod.store;

import dev.paperpod.schemas.net.InternalAddresses;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * The SSRF guard of webhooks: a URL whose host is, or resolves to, an {@link InternalAddresses internal} address is
 * refused, unless that host or address is allow-listed
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
            if (InternalAddresses.isInternal(address) && !isAllowed(address)) {
                return Optional.of(host + " is " + address.getHostAddress()
                        + ", a private, loopback or link-local address; PaperPod posts only to public addresses"
                        + " unless the operator allow-lists it (paperpod.webhooks.allowed-targets)");
            }
        }
        return Optional.empty();
    }

    private boolean isAllowed(InetAddress address) {
        for (String entry : allowed) {
            if (InternalAddresses.matches(entry, address)) {
                return true;
            }
        }
        return false;
    }
}
