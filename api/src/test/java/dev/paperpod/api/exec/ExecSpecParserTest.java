package dev.paperpod.api.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.api.web.ApiExceptions;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.job.Egress;
import dev.paperpod.schemas.job.ExecSpec;
import dev.paperpod.schemas.job.Language;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ObjectNode;

class ExecSpecParserTest {

    private final ExecSpecParser parser = new ExecSpecParser(ApiExceptions.properties());

    @Test
    void appliesTheDefaultTimeoutAndKeepsEverythingElse() {
        ExecSpec spec = parser.parse(json("{'code':'print(1)','language':'python','env':{'A':'1'},'stdin':'in'}"));

        assertThat(spec)
                .isEqualTo(new ExecSpec(Language.PYTHON, "print(1)", 30_000, Map.of("A", "1"), "in", Egress.NONE));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{'language':'python'}                                 | code",
                "{'code':' ','language':'python'}                      | code",
                "{'code':'x'}                                          | language",
                "{'code':'x','language':'Python'}                      | language",
                "{'code':'x','language':'python','timeoutMs':0}        | timeoutMs",
                "{'code':'x','language':'python','timeoutMs':600001}   | timeoutMs",
                "{'code':'x','language':'python','env':{'A-B':'1'}}    | env.A-B",
                "{'code':'x','language':'python','network':'internet'} | network",
                "{'code':5,'language':'python'}                        | code",
                "{'code':'x','language':'python','timeoutMs':'soon'}   | timeoutMs",
                "{'code':'x','language':'python','timeoutMs':'5000'}   | timeoutMs",
                "{'code':'x','language':'python','env':{'A':5}}        | env.A",
                "{'code':'x','language':'python','env':['A']}          | env",
                "{'code':'x','language':'python','lang':'shell'}       | lang"
            })
    void namesTheFieldAtFault(String body, String field) {
        ApiExceptions.assertInvalid(() -> parser.parse(json(body)), field);
    }

    @Test
    void anUnknownFieldIsNamedWithTheFieldsThatExist() {
        ApiExceptions.assertInvalid(
                        () -> parser.parse(json("{'code':'x','language':'shell','tmeoutMs':5}")), "tmeoutMs")
                .satisfies(e -> {
                    assertThat(e.getMessage()).contains("unknown field 'tmeoutMs'");
                    assertThat(e.body().error().hint()).contains("timeoutMs");
                });
    }

    @Test
    void aNumberWhereTextIsExpectedSaysWhatCame() {
        ApiExceptions.assertInvalid(() -> parser.parse(json("{'code':5,'language':'shell'}")), "code")
                .satisfies(e -> assertThat(e.getMessage()).contains("expected a string, got number"));
    }

    @Test
    void acceptsTheLargestTimeout() {
        assertThat(parser.parse(json("{'code':'x','language':'shell','timeoutMs':600000}"))
                        .timeoutMs())
                .isEqualTo(600_000);
    }

    static ObjectNode json(String singleQuoted) {
        return (ObjectNode) Wire.mapper().readTree(singleQuoted.replace('\'', '"'));
    }
}
