package dev.paperpod.api.auth;

import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.http.ErrorBody;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/** Every request but the public ones needs {@code Authorization: Bearer <token>}; otherwise 401. */
@Component
public class BearerTokenFilter extends OncePerRequestFilter {

    private static final Set<String> PUBLIC = Set.of("/health");
    private static final String PREFIX = "Bearer ";

    private final AccountTokens tokens;

    public BearerTokenFilter(AccountTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return PUBLIC.contains(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            reject(
                    response,
                    "missing bearer token",
                    "send the header 'Authorization: Bearer <token>'; " + "./paperpod up prints the development token");
            return;
        }
        if (!header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            reject(response, "the Authorization header is not a bearer token", "send 'Authorization: Bearer <token>'");
            return;
        }
        Optional<Caller> caller =
                tokens.authenticate(header.substring(PREFIX.length()).trim());
        if (caller.isEmpty()) {
            reject(response, "unknown or revoked token", "check the token; ./paperpod up prints the development token");
            return;
        }
        request.setAttribute(Caller.ATTRIBUTE, caller.get());
        chain.doFilter(request, response);
    }

    private static void reject(HttpServletResponse response, String message, String hint) throws IOException {
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"paperpod\"");
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getOutputStream().write(Wire.write(ErrorBody.of("UNAUTHORIZED", message, hint, null)));
    }
}
