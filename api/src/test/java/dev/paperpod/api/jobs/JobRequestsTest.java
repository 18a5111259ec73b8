package dev.paperpod.api.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.paperpod.api.browser.BrowserSpecParser;
import dev.paperpod.api.exec.ExecSpecParser;
import dev.paperpod.api.web.ApiExceptions;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.JobKind;
import dev.paperpod.schemas.job.JobPriority;
import dev.paperpod.schemas.job.JobSpec;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ObjectNode;

class JobRequestsTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private final JobRequests requests = new JobRequests(
            List.of(new ExecSpecParser(ApiExceptions.properties()), new BrowserSpecParser(ApiExceptions.properties())));

    @Test
    void aJobWithoutAKindIsExecWithTheDefaultOptions() {
        JobRequests.Background job = requests.background(json("{'code':'x','language':'shell'}"), NOW);

        assertThat(job.spec()).isInstanceOf(ExecSpec.class);
        assertThat(job.maxAttempts()).isEqualTo(3);
        assertThat(job.priority()).isEqualTo(JobPriority.NORMAL);
        assertThat(job.runAt()).isNull();
        assertThat(job.webhookUrl()).isNull();
    }

    @Test
    void theSharedOptionsAreReadBesideTheKindsOwnFields() {
        JobRequests.Background job = requests.background(
                json("{'kind':'exec','code':'x','language':'shell','maxAttempts':5,'priority':'high',"
                        + "'runAt':'2026-11-28T12:05:00Z','webhookUrl':'https://example.com/h'}"),
                NOW);

        assertThat(job.maxAttempts()).isEqualTo(5);
        assertThat(job.priority()).isEqualTo(JobPriority.HIGH);
        assertThat(job.runAt()).isEqualTo(NOW.plusSeconds(300));
        assertThat(job.webhookUrl()).isEqualTo("https://example.com/h");
    }

    @Test
    void aStartTimeInThePastMeansNow() {
        assertThat(requests.background(json("{'code':'x','language':'shell','runAt':'2026-11-27T00:00:00Z'}"), NOW)
                        .runAt())
                .isNull();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{'kind':'video','url':'x'}                            | kind",
                "{'kind':5,'code':'x','language':'shell'}              | kind",
                "{'code':'x','language':'shell','maxAttempts':0}       | maxAttempts",
                "{'code':'x','language':'shell','maxAttempts':11}      | maxAttempts",
                "{'code':'x','language':'shell','maxAttempts':'2'}     | maxAttempts",
                "{'code':'x','language':'shell','priority':'urgent'}   | priority",
                "{'code':'x','language':'shell','runAt':'tomorrow'}    | runAt",
                "{'code':'x','language':'shell','runAt':'2027-01-28T12:00:00Z'} | runAt",
                "{'code':'x','language':'shell','colour':'red'}        | colour"
            })
    void aBadBackgroundRequestNamesItsField(String body, String field) {
        ApiExceptions.assertInvalid(() -> requests.background(json(body), NOW), field);
    }

    @Test
    void aSyncJobRefusesTheOptionsOfBackgroundJobs() {
        for (String option : List.of(
                "'maxAttempts':2",
                "'priority':'low'",
                "'runAt':'2026-11-28T12:05:00Z'",
                "'webhookUrl':'https://x'",
                "'kind':'exec'")) {
            String field = option.substring(1, option.indexOf('\'', 1));
            ApiExceptions.assertInvalid(
                            () -> requests.sync(JobKind.EXEC, json("{'code':'x','language':'shell'," + option + "}")),
                            field)
                    .satisfies(e -> assertThat(e.getMessage()).contains("background jobs only"));
        }
        JobSpec spec = requests.sync(JobKind.EXEC, json("{'code':'x','language':'shell'}"));
        assertThat(spec.kind()).isEqualTo(JobKind.EXEC);
    }

    @Test
    void everyRegisteredKindNeedsAParser() {
        assertThatThrownBy(() -> new JobRequests(List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("job kind 'exec' is registered but the api has no JobSpecParser");
    }

    private static ObjectNode json(String singleQuoted) {
        return (ObjectNode) Wire.mapper().readTree(singleQuoted.replace('\'', '"'));
    }
}
