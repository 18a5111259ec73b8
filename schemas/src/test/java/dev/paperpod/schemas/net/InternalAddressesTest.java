package dev.paperpod.schemas.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InternalAddressesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.1.2.3",
                "172.31.255.255",
                "192.168.0.1",
                "127.0.0.2",
                "169.254.169.254",
                "100.64.0.1",
                "0.0.0.0",
                "224.0.0.1",
                "::1",
                "::",
                "fd00::1",
                "fe80::1",
                "::ffff:10.0.0.1"
            })
    void privateLoopbackLinkLocalAndReservedAreInternal(String address) throws Exception {
        assertThat(InternalAddresses.isInternal(InetAddress.getByName(address)))
                .as(address)
                .isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111"})
    void publicAddressesAreNot(String address) throws Exception {
        assertThat(InternalAddresses.isInternal(InetAddress.getByName(address)))
                .as(address)
                .isFalse();
    }

    @Test
    void everyRangeIsWellWritten() {
        InternalAddresses.RANGES.forEach(InternalAddresses::check);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "example.com", "10.0.0.0/x", "", "fe80::/129"})
    void aBlockThatIsNotOneIsRefused(String block) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> InternalAddresses.check(block))
                .withMessageContaining(block);
    }
}
