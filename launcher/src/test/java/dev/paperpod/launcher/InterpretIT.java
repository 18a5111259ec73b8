package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /interpret}: cells in a kernel that lives in the account's sandbox, as a notebook runs them — state
 * kept, the last value answered, output apart, errors with their traceback; a timeout or a crash restarts the kernel
 * and says so. (Figures and DataFrames need the full image: {@code FullImageIT}.)
 */
@ExtendWith(SharedStack.class)
class InterpretIT {

    private static JsonNode cell(Api api, String code) {
        return cell(api, Map.of("code", code));
    }

    private static JsonNode cell(Api api, Map<String, ?> body) {
        Api.Response r = api.post("/interpret", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static Api sandbox(Api shared) {
        return shared.withSandbox("ip-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Test
    void cellsShareTheirStateAndTheLastValueComesBack(Api shared) {
        Api api = sandbox(shared);

        JsonNode first = cell(api, "import math\nx = 40\nprint('set', x)");
        JsonNode second = cell(api, "x + 2");
        JsonNode third = cell(api, "import sys\nprint('out')\nprint('err', file=sys.stderr)\nmath.sqrt(x + 9)");

        assertThat(first.path("stdout").asString()).isEqualTo("set 40\n");
        assertThat(first.path("result").isNull() || first.path("result").isMissingNode())
                .isTrue();
        assertThat(second.path("result").path("text/plain").asString()).isEqualTo("42");
        assertThat(second.path("executionCount").asInt())
                .isEqualTo(first.path("executionCount").asInt() + 1);
        assertThat(third.path("stdout").asString()).isEqualTo("out\n");
        assertThat(third.path("stderr").asString()).isEqualTo("err\n");
        assertThat(third.path("result").path("text/plain").asString()).isEqualTo("7.0");
        assertThat(third.path("kernelRestarted").asBoolean()).isFalse();
        assertThat(third.path("sandboxId").asString())
                .isEqualTo(first.path("sandboxId").asString());
        JsonNode html = cell(api, "class T:\n    def _repr_html_(self):\n        return '<b>t</b>'\nT()");
        assertThat(html.path("result").path("text/html").asString()).isEqualTo("<b>t</b>");
    }

    @Test
    void anExceptionComesBackWithItsTracebackAndTheKernelKeepsItsState(Api shared) {
        Api api = sandbox(shared);
        cell(api, "y = 5");

        JsonNode failed = cell(api, "def f():\n    return 1 / 0\nf()");
        JsonNode after = cell(api, "y");

        assertThat(failed.path("error").path("name").asString()).isEqualTo("ZeroDivisionError");
        assertThat(failed.path("error").path("value").asString()).isEqualTo("division by zero");
        assertThat(failed.path("error").path("traceback").asString())
                .contains("File \"<cell>\", line 2, in f")
                .doesNotContain("kernel.py");
        assertThat(after.path("result").path("text/plain").asString()).isEqualTo("5");
        assertThat(cell(api, "def broken(:").path("error").path("name").asString())
                .isEqualTo("SyntaxError");
    }

    @Test
    void aTimeoutOrACrashRestartsTheKernelAndSaysSo(Api shared) {
        Api api = sandbox(shared);
        cell(api, "z = 1");

        JsonNode slow = cell(api, Map.of("code", "import time\ntime.sleep(30)", "timeoutMs", 500));
        JsonNode gone = cell(api, "z");

        assertThat(slow.path("error").path("name").asString()).isEqualTo("TimeoutError");
        assertThat(slow.path("kernelRestarted").asBoolean()).isTrue();
        assertThat(slow.path("restartReason").asString()).contains("500 ms");
        assertThat(gone.path("error").path("name").asString())
                .as("earlier cells' state is gone")
                .isEqualTo("NameError");

        JsonNode crashed = cell(api, "import os\nos._exit(3)");
        assertThat(crashed.path("error").path("name").asString()).isEqualTo("KernelDied");
        assertThat(crashed.path("kernelRestarted").asBoolean()).isTrue();
        assertThat(cell(api, "2 * 21").path("result").path("text/plain").asString())
                .isEqualTo("42");
    }

    @Test
    void badCellsAreRefusedWithTheField(Api shared) {
        Api api = sandbox(shared);
        Api.Response noCode = api.post("/interpret", Map.of("timeoutMs", 100));
        Api.Response badTimeout = api.post("/interpret", Map.of("code", "1", "timeoutMs", 0));
        Api.Response unknown = api.post("/interpret", Map.of("code", "1", "language", "r"));

        assertThat(noCode.status()).isEqualTo(400);
        assertThat(noCode.json().path("error").path("field").asString()).isEqualTo("code");
        assertThat(badTimeout.json().path("error").path("field").asString()).isEqualTo("timeoutMs");
        assertThat(unknown.json().path("error").path("field").asString()).isEqualTo("language");
    }
}
