package dev.paperpod.api.browser;

import dev.paperpod.api.ApiProperties;
import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.store.BrowserSessionStore;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
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
    private final Clock clock;

    BrowserSessionController(BrowserSessions sessions, JsonBody body, ApiProperties properties, Clock clock) {
        this.sessions = sessions;
        this.body = body;
        this.properties = properties;
        this.clock = clock;
    }

    @PostMapping("/browser/acquire")
    ResponseEntity<Map<String, Object>> acquire(Caller caller, HttpServletRequest request) {
        BrowserSessions.Acquire asked = JsonBody.bind(body.objectOrEmpty(request), BrowserSessions.Acquire.class);
        return ResponseEntity.status(HttpStatus.CREATED).body(view(sessions.acquire(caller, asked), clock.instant()));
    }

    @GetMapping("/browser/sessions")
    Map<String, Object> list(Caller caller) {
        Instant now = clock.instant();
        return Map.of(
                "data", sessions.list(caller).stream().map(s -> view(s, now)).toList());
    }

    @DeleteMapping("/browser/sessions/{sessionId}")
    Map<String, Object> release(Caller caller, @PathVariable String sessionId) {
        BrowserSessionStore.Session ended = sessions.release(caller, sessionId);
        return view(ended, clock.instant());
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

    /** A session as the account sees it: {@code seconds} is its time of use so far (or in all, once ended). */
    private static Map<String, Object> view(BrowserSessionStore.Session s, Instant now) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("sessionId", s.sessionId());
        view.put("createdAt", s.createdAt().toString());
        view.put("lastUsedAt", s.lastUsedAt().toString());
        view.put("idleTimeoutMs", s.idleTimeout().toMillis());
        if (s.endedAt() == null) {
            view.put("expiresAt", s.expiresAt().toString());
        } else {
            view.put("endedAt", s.endedAt().toString());
        }
        view.put("seconds", s.seconds(now));
        return view;
    }
}
