package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Response;
import dev.paperpod.launcher.support.Api;
import dev.paperpod.launcher.support.SharedStack;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * A real browser (Debian's Chromium, driven by Playwright for Java) loads a page served in the account's sandbox
 * by {@code python -m http.server} through its preview URL's host form, {@code http://8080-sbx-….localhost:<port>/}
 * — which Chromium resolves to the loopback itself — with the page's script and stylesheet, as a user's browser
 * would.
 */
@ExtendWith(SharedStack.class)
class PreviewBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    @Test
    void chromiumLoadsAPageServedInTheSandboxByItsPreviewUrl(Api shared) {
        Api api = shared.withSandbox("pb-" + UUID.randomUUID().toString().substring(0, 8));
        ok(api.post(
                "/files/write",
                Map.of(
                        "path",
                        "site/index.html",
                        "content",
                        "<html><head><link rel=stylesheet href=style.css><script src=app.js></script></head>"
                                + "<body><h1 id=title>hello</h1></body></html>")));
        ok(api.post("/files/write", Map.of("path", "site/style.css", "content", "h1 { color: rgb(1, 2, 3); }")));
        ok(api.post(
                "/files/write",
                Map.of(
                        "path",
                        "site/app.js",
                        "content",
                        "addEventListener('DOMContentLoaded', () =>"
                                + " document.getElementById('title').textContent += ' from the sandbox');")));
        ok(api.post(
                "/process/start",
                Map.of("name", "web", "command", "cd site && exec python -m http.server 8080 --bind 0.0.0.0")));
        String url = ok(api.post("/expose", Map.of("port", 8080))).path("url").asString();

        try (Playwright playwright = Playwright.create(
                        new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
                Browser browser = playwright
                        .chromium()
                        .launch(new BrowserType.LaunchOptions()
                                .setExecutablePath(CHROMIUM)
                                .setArgs(List.of(
                                        "--no-sandbox",
                                        "--disable-gpu",
                                        "--disable-dev-shm-usage",
                                        "--disable-background-networking",
                                        "--disable-component-update",
                                        "--no-first-run")))) {
            Page page = browser.newPage();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        Response response = page.navigate(url);
                        return response != null && response.status() == 200;
                    });

            page.waitForFunction("document.getElementById('title').textContent.endsWith('from the sandbox')");
            assertThat(page.textContent("#title")).isEqualTo("hello from the sandbox");
            assertThat(page.evalOnSelector("#title", "e => getComputedStyle(e).color"))
                    .isEqualTo("rgb(1, 2, 3)");
            assertThat(page.url()).isEqualTo(url);
        }
    }
}
