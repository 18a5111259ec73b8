package dev.paperpod.schemas.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The addresses PaperPod's outbound traffic on users' behalf (webhooks, browser pages) must never reach: private,
 * loopback, link-local (where clouds serve the machine's credentials), shared, unique-local, multicast, reserved and
 * unspecified ranges. One list for every guard: the webhook sender checks it in Java, the browser's egress proxy gets
 * it as text.
 */
public final class InternalAddresses {

    /** The ranges, as CIDR blocks. */
    public static final List<String> RANGES = List.of(
            "0.0.0.0/8",
            "10.0.0.0/8",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "172.16.0.0/12",
            "192.0.0.0/24",
            "192.168.0.0/16",
            "198.18.0.0/15",
            "224.0.0.0/4",
            "240.0.0.0/4",
            "::/128",
            "::1/128",
            "fc00::/7",
            "fe80::/10",
            "fec0::/10",
            "ff00::/8");

    private InternalAddresses() {}

    public static boolean isInternal(InetAddress address) {
        for (String range : RANGES) {
            if (matches(range, address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code address} is in {@code block}: a CIDR block, or one address (a host name is resolved); false for
     * an entry that is neither.
     */
    public static boolean matches(String block, InetAddress address) {
        try {
            int slash = block.indexOf('/');
            InetAddress network = InetAddress.getByName(slash < 0 ? block : block.substring(0, slash));
            byte[] a = address.getAddress();
            byte[] n = network.getAddress();
            if (a.length != n.length) {
                return false;
            }
            int bits = slash < 0 ? a.length * 8 : Integer.parseInt(block.substring(slash + 1));
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

    /**
     * Checks that {@code block} is an address or a CIDR block written as numbers.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static void check(String block) {
        int slash = block.indexOf('/');
        String address = slash < 0 ? block : block.substring(0, slash);
        if (!address.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("'" + block + "' is not an address or a CIDR block (e.g. 10.88.0.1/32)");
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(block.substring(slash + 1));
            if (bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("'" + block + "' has a prefix length past " + bytes.length * 8);
            }
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + block + "' is not an address or a CIDR block (e.g. 10.88.0.1/32)");
        }
    }
}
