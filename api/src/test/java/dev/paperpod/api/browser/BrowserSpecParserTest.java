package dev.paperpod.api.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.api.web.ApiExceptions;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.browser.BrowserOperation;
import dev.paperpod.schemas.browser.BrowserSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ObjectNode;

class BrowserSpecParserTest {

    private final BrowserSpecParser parser = new BrowserSpecParser(ApiExceptions.properties());

    @Test
    void readsTheFieldsUsersKnowFromBrowserless() {
        BrowserSpec spec = parser.parse(json("{'operation':'screenshot','url':'https://example.com/a',"
                + "'gotoOptions':{'waitUntil':'networkidle','timeout':5000},'waitForSelector':{'selector':'h1',"
                + "'visible':true},'viewport':{'width':800,'height':600},'setExtraHTTPHeaders':{'X-A':'1'},"
                + "'rejectResourceTypes':['font','image'],'options':{'type':'jpeg','quality':70,'fullPage':true},"
                + "'bestAttempt':true}"));

        assertThat(spec.operation()).isEqualTo(BrowserOperation.SCREENSHOT);
        assertThat(spec.url()).isEqualTo("https://example.com/a");
        assertThat(spec.gotoOptions()).isEqualTo(new BrowserSpec.GotoOptions("networkidle", 5000L));
        assertThat(spec.waitForSelector()).isEqualTo(new BrowserSpec.WaitForSelector("h1", null, true));
        assertThat(spec.viewport()).isEqualTo(new BrowserSpec.Viewport(800, 600, null));
        assertThat(spec.extraHttpHeaders()).isEqualTo(Map.of("X-A", "1"));
        assertThat(spec.rejectResourceTypes()).isEqualTo(List.of("font", "image"));
        assertThat(spec.screenshot()).isEqualTo(new BrowserSpec.ScreenshotOptions(true, "jpeg", 70, null, null));
        assertThat(spec.bestAttempt()).isTrue();
        assertThat(spec.timeoutMs()).as("the server's default").isEqualTo(30_000);
    }

    @Test
    void aPdfTakesItsOwnOptions() {
        BrowserSpec spec = parser.parse(json("{'operation':'pdf','html':'<p>x</p>','options':{'format':'A4',"
                + "'landscape':true,'margin':{'top':'1cm'},'scale':0.5}}"));

        assertThat(spec.pdf())
                .isEqualTo(new BrowserSpec.PdfOptions(
                        "A4", true, null, new BrowserSpec.Margin("1cm", null, null, null), 0.5));
        assertThat(spec.screenshot()).isNull();
    }

    @Test
    void aScrapeTakesItsSelectorsInTheOrderGiven() {
        BrowserSpec spec = parser.parse(json(
                "{'operation':'scrape','url':'https://example.com/','elements':[{'selector':'h1'},{'selector':'a'}]}"));

        assertThat(spec.operation()).isEqualTo(BrowserOperation.SCRAPE);
        assertThat(spec.elements()).containsExactly(new BrowserSpec.Element("h1"), new BrowserSpec.Element("a"));
        assertThat(parser.parse(json("{'operation':'scrape','html':'<p>'}")).elements())
                .as("none: the worker scrapes the body")
                .isEmpty();
    }

    @Test
    void aCallInASessionMayLeaveThePageOutButNotInTheBackground() {
        BrowserSpec spec = parser.parse(json("{'operation':'screenshot','sessionId':'bss-0123abcd-ef'}"));
        assertThat(spec.sessionId()).isEqualTo("bss-0123abcd-ef");
        assertThat(spec.url()).isNull();

        ApiExceptions.assertInvalid(
                () -> parser.parseBackground(json("{'operation':'screenshot','sessionId':'bss-0123abcd-ef'}")),
                "sessionId");
    }

    @Test
    void aTestMayBeginWithGotoAndNoPage() {
        BrowserSpec spec =
                parser.parse(json("{'operation':'test','steps':[{'action':'goto','url':'https://a.example/'},"
                        + "{'action':'expect','title':'A'},{'action':'screenshot','fullPage':true}]}"));

        assertThat(spec.url()).isNull();
        assertThat(spec.html()).isNull();
        assertThat(spec.steps()).extracting(BrowserSpec.Step::action).containsExactly("goto", "expect", "screenshot");
        assertThat(spec.steps().get(2).fullPage()).isTrue();
    }

    @Test
    void aScrapeOfTooManySelectorsIsRefused() {
        String many = String.join(",", java.util.Collections.nCopies(51, "{'selector':'p'}"));
        ApiExceptions.assertInvalid(
                () -> parser.parse(json("{'operation':'scrape','html':'x','elements':[" + many + "]}")), "elements");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "{'url':'https://a.example/'}                                              | operation",
                "{'operation':'print','url':'https://a.example/'}                          | operation",
                "{'operation':'content'}                                                   | url",
                "{'operation':'content','url':'https://a.example/','html':'<p>'}           | html",
                "{'operation':'content','url':'file:///etc/passwd'}                        | url",
                "{'operation':'content','url':'javascript:alert(1)'}                       | url",
                "{'operation':'content','url':'http://'}                                   | url",
                "{'operation':'content','url':'not a url'}                                 | url",
                "{'operation':'content','html':'x','timeoutMs':0}                          | timeoutMs",
                "{'operation':'content','html':'x','gotoOptions':{'waitUntil':'idle'}}     | gotoOptions.waitUntil",
                "{'operation':'content','html':'x','waitForSelector':{'selector':' '}}     | waitForSelector.selector",
                "{'operation':'content','html':'x','waitForTimeout':-1}                    | waitForTimeout",
                "{'operation':'content','html':'x','viewport':{'width':0,'height':5}}      | viewport",
                "{'operation':'content','html':'x','rejectResourceTypes':['pictures']}     | rejectResourceTypes",
                "{'operation':'content','html':'x','setExtraHTTPHeaders':{'A B':'1'}}      | setExtraHTTPHeaders.A B",
                "{'operation':'content','html':'x','options':{}}                           | options",
                "{'operation':'screenshot','html':'x','options':{'type':'gif'}}            | options.type",
                "{'operation':'screenshot','html':'x','options':{'quality':50}}            | options.quality",
                "{'operation':'screenshot','html':'x','options':{'fullpage':true}}         | options.fullpage",
                "{'operation':'pdf','html':'x','options':{'format':'A9'}}                  | options.format",
                "{'operation':'pdf','html':'x','options':{'scale':3}}                      | options.scale",
                "{'operation':'pdf','html':'x','wait':1}                                   | wait",
                "{'operation':'markdown','html':'x','options':{'fullPage':true}}           | options",
                "{'operation':'content','html':'x','elements':[{'selector':'h1'}]}         | elements",
                "{'operation':'scrape','html':'x','elements':[{'selector':'h1'},{}]}       | elements[1].selector",
                "{'operation':'scrape','html':'x','elements':[{'selector':''}]}            | elements[0].selector",
                "{'operation':'scrape','html':'x','elements':[{'css':'h1'}]}               | elements[0].css",
                "{'operation':'content','html':'x','steps':[]}                             | steps",
                "{'operation':'test','url':'https://a.example/'}                           | steps",
                "{'operation':'test','steps':[{'action':'click','selector':'a'}]}          | steps[0].action",
                "{'operation':'test','html':'x','steps':[{'action':'fly'}]}                | steps[0].action",
                "{'operation':'test','html':'x','steps':[{'action':'fill','selector':'a'}]} | steps[0].value",
                "{'operation':'test','html':'x','steps':[{'action':'expect','selector':'h1'}]} | steps[0].action",
                "{'operation':'test','html':'x','steps':[{'action':'expect','text':'x'}]}  | steps[0].selector",
                "{'operation':'test','steps':[{'action':'goto','url':'file:///etc/passwd'}]} | steps[0].url",
                "{'operation':'test','html':'x','steps':[{'action':'waitFor'}]}            | steps[0].selector",
                "{'operation':'test','html':'x','steps':[{'action':'waitFor','selector':'a','state':'gone'}]} | steps[0].state",
                "{'operation':'test','html':'x','steps':[{'action':'press'}]}              | steps[0].key",
                "{'operation':'test','html':'x','steps':[{'action':'click','selector':'a','timeout':0}]} | steps[0].timeout",
                "{'operation':'test','html':'x','steps':[{'action':'click','selector':'a','wait':1}]} | steps[0].wait",
                "{'operation':'content','sessionId':'x1'}                                  | sessionId",
                "{'operation':'content','sessionId':'bss-0123abcd','userAgent':'me'}        | userAgent",
                "{'operation':'acquire','html':'x'}                                        | operation"
            })
    void namesTheFieldAtFault(String body, String field) {
        ApiExceptions.assertInvalid(() -> parser.parse(json(body)), field);
    }

    private static ObjectNode json(String singleQuoted) {
        return (ObjectNode) Wire.mapper().readTree(singleQuoted.replace('\'', '"'));
    }
}
