package dev.paperpod.worker.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import org.junit.jupiter.api.Test;

class BrowserEgressTest {

    private final BrowserEgress rules = new BrowserEgress(List.of("10.88.0.1/32"));

    @Test
    void theProxyIsToldEveryInternalRangeAndTheAllowedBlocks() {
        assertThat(rules.environment())
                .anySatisfy(
                        e -> assertThat(e).startsWith("PAPERPOD_EGRESS_DENY=").contains("10.0.0.0/8,"))
                .contains("PAPERPOD_EGRESS_ALLOW=10.88.0.1/32");
    }

    @Test
    void aRefusedConnectionIsExplainedByTheSameRules() {
        assertThat(rules.refusal("https://10.20.30.40/x")).contains("10.20.30.40 is a private");
        assertThat(rules.refusal("https://localhost:3000/")).startsWith("localhost (127.0.0.1)");
        assertThat(rules.refusal("https://[::1]/")).isNotNull();
        assertThat(rules.refusal("https://10.88.0.1:8080/")).as("allowed").isNull();
        assertThat(rules.refusal("https://93.184.216.34/"))
                .as("public: the site's own failure")
                .isNull();
        assertThat(rules.refusal("https://no-such-host.invalid/")).isNull();
        assertThat(rules.refusal(null)).isNull();
    }

    @Test
    void anAllowedEntryThatIsNoBlockFailsAtStart() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new BrowserEgress(List.of("my-laptop")))
                .withMessageContaining("my-laptop");
    }
}
