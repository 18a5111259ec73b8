package dev.paperpod.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookTargetsTest {

    private final WebhookTargets none = new WebhookTargets(List.of());
    private final WebhookTargets loopbackAllowed = new WebhookTargets(List.of("127.0.0.1", "10.1.0.0/16"));

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:8080/hook",
                "http://localhost/hook",
                "http://10.0.0.7/hook",
                "http://172.16.3.4/hook",
                "http://192.168.1.1/hook",
                "http://169.254.169.254/latest/meta-data",
                "http://[::1]/hook",
                "http://[fd00::1]/hook",
                "http://[fe80::1]/hook",
                "http://0.0.0.0/hook",
                "http://100.64.0.1/hook",
                "ftp://93.184.216.34/hook",
                "not a url"
            })
    void internalOrOddTargetsAreRefused(String url) {
        assertThat(none.refusal(url)).as(url).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://93.184.216.34/hook", "http://8.8.8.8:8080/x"})
    void publicAddressesAreAllowed(String url) {
        assertThat(none.refusal(url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9999/hook", "http://10.1.200.3/hook"})
    void allowListedAddressesAndBlocksPass(String url) {
        assertThat(loopbackAllowed.refusal(url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.2/hook", "http://10.2.0.1/hook"})
    void theAllowListIsExact(String url) {
        assertThat(loopbackAllowed.refusal(url)).isPresent();
    }
}
