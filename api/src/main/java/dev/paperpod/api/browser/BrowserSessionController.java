package dev.paperpod.api.browser;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.store.BrowserSessionStore;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Browser sessions over HTTP: {@code POST /browser/acquire} opens one, {@code GET /browser/sessions} lists the
 * account's open ones, {@code DELETE /browser/sessions/{id}} releases one, {@code GET /browser/limits} tells how many
 * and for how long. Calls name a session with {@code "sessionId"} in the body of any browser operation.
 */
@RestController
class BrowserSessionController {

    private final BrowserSessions sessions;
    private final JsonBody body;
    private final ApiProperties properties;

    BrowserSessionController(BrowserSessions sessions, JsonBody body, ApiProperties properties) {
        this.sessions = sessions;
        this.body = body;
        this.properties = properties;
    }

    @PostMapping("/browser/acquire")
    ResponseEntity<Map<String, Object>> acquire(Caller caller, HttpServletRequest request) {
        BrowserSessions.Acquire asked = JsonBody.bind(body.objectOrEmpty(request), BrowserSessions.Acquire.class);
        return ResponseEntity.status(HttpStatus.CREATED).body(view(sessions.acquire(caller, asked)));
    }

    @GetMapping("/browser/sessions")
    Map<String, Object> list(Caller caller) {
        return Map.of(
                "data",
                sessions.list(caller).stream()
                        .map(BrowserSessionController::view)
                        .toList());
    }

    @DeleteMapping("/browser/sessions/{sessionId}")
    ResponseEntity<Void> release(Caller caller, @PathVariable String sessionId) {
        sessions.release(caller, sessionId);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/browser/limits")
    Map<String, Object> limits(Caller caller) {
        BrowserSessionSettings settings = sessions.settings();
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("maxSessions", settings.maxPerAccount());
        limits.put("openSessions", sessions.list(caller).size());
        limits.put("defaultIdleTimeoutMs", settings.defaultIdleTimeout().toMillis());
        limits.put("maxIdleTimeoutMs", settings.maxIdleTimeout().toMillis());
        limits.put("defaultTimeoutMs", properties.defaultTimeout().toMillis());
        limits.put("maxTimeoutMs", properties.maxTimeout().toMillis());
        return limits;
    }

    private static Map<String, Object> view(BrowserSessionStore.Session s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("sessionId", s.sessionId());
        view.put("createdAt", s.createdAt().toString());
        view.put("lastUsedAt", s.lastUsedAt().toString());
        view.put("idleTimeoutMs", s.idleTimeout().toMillis());
        view.put("expiresAt", s.expiresAt().toString());
        return view;
    }
}
