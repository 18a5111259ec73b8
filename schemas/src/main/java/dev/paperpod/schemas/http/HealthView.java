package dev.paperpod.schemas.http;

import java.util.Map;

/**
 * Body of {@code GET /health}: {@code UP} only when every check is; otherwise {@code DOWN} and, per check,
 * what is missing.
 */
public record HealthView(String status, Map<String, Check> checks) {

    public record Check(boolean up, String detail) {}
}
