package dev.paperpod.worker.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class HarLimitTest {

    @TempDir
    Path dir;

    private final List<String> said = new ArrayList<>();

    /** A HAR of two entries: a posted form (its text is the request's, and stays) and a big response body. */
    private Path har() throws Exception {
        String body = "x".repeat(100_000);
        return Files.writeString(dir.resolve("network.har"), """
                {"log":{"version":"1.2","entries":[
                  {"request":{"method":"POST","url":"https://example.com/form",
                              "postData":{"mimeType":"text/plain","text":"name=kept"}},
                   "response":{"status":200,"content":{"size":100000,"mimeType":"text/html","text":"%s"}},
                   "timings":{"wait":12.5}},
                  {"request":{"method":"GET","url":"https://example.com/empty"},
                   "response":{"status":204,"content":{"size":0,"mimeType":"x-unknown"}}}
                ]}}
                """.formatted(body));
    }

    @Test
    void aHarUnderItsMostIsKeptAsItIs() throws Exception {
        Path har = har();
        long size = Files.size(har);

        assertThat(HarLimit.hold(har, size, said::add)).isEqualTo(har);
        assertThat(Files.size(har)).isEqualTo(size);
        assertThat(said).isEmpty();
    }

    @Test
    void oneOverItIsKeptWithoutResponseBodiesAndSaysSo() throws Exception {
        Path har = har();
        long size = Files.size(har);

        assertThat(HarLimit.hold(har, 10_000, said::add)).isEqualTo(har);

        JsonNode entries =
                JsonMapper.builder().build().readTree(har.toFile()).path("log").path("entries");
        assertThat(entries).hasSize(2);
        JsonNode content = entries.get(0).path("response").path("content");
        assertThat(content.has("text")).isFalse();
        assertThat(content.path("size").asLong()).as("what it weighed stays").isEqualTo(100_000);
        assertThat(entries.get(0).path("request").path("postData").path("text").asString())
                .isEqualTo("name=kept");
        assertThat(entries.get(0).path("timings").path("wait").asDouble()).isEqualTo(12.5);
        assertThat(Files.size(har)).isLessThan(10_000);
        assertThat(said)
                .singleElement()
                .asString()
                .contains("without response bodies")
                .contains(size + " bytes");
        assertThat(dir.resolve("network.har.lean")).doesNotExist();
    }

    @Test
    void oneOverItEvenSoIsNotKept() throws Exception {
        Path har = har();

        assertThat(HarLimit.hold(har, 100, said::add)).isNull();
        assertThat(har).doesNotExist();
        assertThat(said).singleElement().asString().contains("not kept").contains("paperpod.worker.browser.max-har");
    }
}
