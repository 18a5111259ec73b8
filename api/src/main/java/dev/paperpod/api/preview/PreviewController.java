package dev.paperpod.api.preview;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.sandbox.SandboxNames;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.http.SandboxRequests;
import dev.paperpod.store.PreviewStore;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/** {@code POST /expose}: a port of the account's sandbox gets its preview URL. */
@RestController
class PreviewController {

    private final JsonBody body;
    private final Previews previews;

    PreviewController(JsonBody body, Previews previews) {
        this.body = body;
        this.previews = previews;
    }

    @PostMapping("/expose")
    ObjectNode expose(Caller caller, HttpServletRequest request) {
        SandboxRequests.Expose e = body.read(request, SandboxRequests.Expose.class);
        if (e.port() == null) {
            throw ApiException.invalidField(
                    "port", "port is required", "send the port your server listens on, e.g. {\"port\": 8080}");
        }
        Previews.Exposed exposed =
                previews.expose(caller, SandboxNames.kept(request), e.port(), Boolean.TRUE.equals(e.isPrivate()));
        PreviewStore.Preview preview = exposed.preview();
        ObjectNode out = Wire.mapper().createObjectNode();
        out.put("url", previews.url(preview, request));
        out.put("pathUrl", Previews.pathUrl(preview, request));
        out.put("port", preview.port());
        out.put("private", preview.isPrivate());
        if (preview.token() != null) {
            out.put("token", preview.token());
        }
        return exposed.seen().addTo(out);
    }
}
