package dev.paperpod.schemas.job;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/**
 * What a sandbox may reach on the network. Neither policy reaches PaperPod's own API, database, broker or Podman
 * socket: they listen on the host's loopback, which a sandbox never shares.
 */
public enum Egress {
    /** No network at all, only the sandbox's own loopback. */
    NONE("none"),
    /** The outside world, through the container network. */
    FULL("full");

    private final String wireName;

    Egress(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public static Optional<Egress> fromWireName(String name) {
        return Arrays.stream(values()).filter(e -> e.wireName.equals(name)).findFirst();
    }
}
