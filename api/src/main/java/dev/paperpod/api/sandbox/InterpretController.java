package dev.paperpod.api.sandbox;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.http.SandboxRequests;
import dev.paperpod.schemas.sandbox.SandboxOperation;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /interpret}: Python like a notebook cell, in a kernel that lives in the account's sandbox — variables
 * and imports stay from one call to the next; the last expression's value comes back, stdout and stderr apart,
 * matplotlib figures as PNG, DataFrames as HTML and text, an exception as {@code {name, value, traceback}}.
 */
@RestController
class InterpretController {

    private final JsonBody body;
    private final SandboxRouter router;
    private final ApiProperties properties;

    InterpretController(JsonBody body, SandboxRouter router, ApiProperties properties) {
        this.body = body;
        this.router = router;
        this.properties = properties;
    }

    @PostMapping("/interpret")
    ObjectNode interpret(Caller caller, HttpServletRequest request) {
        SandboxRequests.Interpret cell = body.read(request, SandboxRequests.Interpret.class);
        if (cell.code() == null) {
            throw ApiException.invalidField(
                    "code", "code is required", "send the Python to run, e.g. {\"code\": \"1 + 1\"}");
        }
        long timeoutMs = cell.timeoutMs() == null ? properties.defaultTimeout().toMillis() : cell.timeoutMs();
        if (timeoutMs < 1 || timeoutMs > properties.maxTimeout().toMillis()) {
            throw ApiException.invalidField(
                    "timeoutMs",
                    "timeoutMs " + timeoutMs + " is out of range",
                    "send 1 to " + properties.maxTimeout().toMillis() + " milliseconds");
        }
        SandboxRouter.Answered answered = router.command(
                caller,
                SandboxNames.kept(request),
                new SandboxOperation.Interpret(cell.code(), timeoutMs),
                Duration.ofMillis(timeoutMs));
        ObjectNode out = (ObjectNode) Wire.mapper().valueToTree(answered.answer());
        out.remove("type");
        return answered.seen().addTo(out);
    }
}
