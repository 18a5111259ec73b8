package dev.paperpod.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paperpod.launcher.support.SharedStack;
import dev.paperpod.schemas.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real {@code ppod}, as a process of its own, against a running PaperPod: the seed's examples and each command,
 * as a user types them. Each test works in a sandbox of its own ({@code --sandbox}).
 */
@ExtendWith(SharedStack.class)
class PpodIT {

    /** ppod as {@code ./paperpod cli} installs it: the cli module's jar and its own libraries, nothing else. */
    private static final String CLASS_PATH = cliClassPath();

    private final EmbeddedStack stack;
    private final Path home;
    private final String sandbox = "ppod-" + UUID.randomUUID().toString().substring(0, 8);

    PpodIT(EmbeddedStack stack) throws IOException {
        this.stack = stack;
        this.home = Files.createTempDirectory(Path.of("target"), "ppod-home-").toAbsolutePath();
    }

    record Run(int exit, String out, String err) {}

    private static String cliClassPath() {
        Path target = Path.of("..", "cli", "target").toAbsolutePath().normalize();
        try (var jars = Files.list(target)) {
            Path jar = jars.filter(p -> p.getFileName().toString().matches("paperpod-cli-.*\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("cli/target holds no paperpod-cli jar: build cli"));
            return jar + ":" + target.resolve("lib") + "/*";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Run ppod(@Nullable String stdin, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                CLASS_PATH,
                "dev.paperpod.cli.Ppod"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("PAPERPOD_TOKEN");
        builder.environment().remove("PAPERPOD_URL");
        builder.environment().remove("XDG_CONFIG_HOME");
        builder.environment().put("HOME", home.toString());
        builder.environment().putAll(env);
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        try (var in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("ppod ended").isTrue();
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** ppod with the token in its environment, in this test's sandbox. */
    private Run ppod(String... args) throws Exception {
        return ppodIn(null, args);
    }

    private Run ppodIn(@Nullable String stdin, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        if (all.size() > 0 && !all.get(0).equals("login") && !all.get(0).equals("help")) {
            all.add(1, "--sandbox=" + sandbox);
        }
        return ppod(
                stdin,
                Map.of("PAPERPOD_URL", stack.baseUrl(), "PAPERPOD_TOKEN", stack.devToken()),
                all.toArray(String[]::new));
    }

    @Test
    void execPrintsTheOutputAndExitsWithTheProgramsExitCode() throws Exception {
        Run two = ppod("exec", "python -c 'print(2+2)'"); // the seed's first example
        assertThat(two).isEqualTo(new Run(0, "4\n", ""));

        Run failed = ppod("exec", "echo out; echo err >&2; exit 3");
        assertThat(failed.exit()).isEqualTo(3);
        assertThat(failed.out()).isEqualTo("out\n");
        assertThat(failed.err()).isEqualTo("err\n");

        Run python = ppod("exec", "--language", "python", "import sys; print(sys.version_info[0])");
        assertThat(python.out()).isEqualTo("3\n");

        Run json = ppod("exec", "--json", "echo hi");
        assertThat(Wire.mapper().readTree(json.out()).path("stdout").asString()).isEqualTo("hi\n");
    }

    @Test
    void aFileWrittenFromStandardInputIsReadBack() throws Exception {
        Run written = ppodIn("{\"step\":3}\n", "write", "state.json");
        assertThat(written.exit()).as(written.toString()).isZero();

        assertThat(ppod("read", "state.json")).isEqualTo(new Run(0, "{\"step\":3}\n", ""));
        assertThat(ppod("exec", "cat state.json").out()).isEqualTo("{\"step\":3}\n");
        Path local = home.resolve("local.bin");
        Files.write(local, new byte[] {0, 1, (byte) 0xff});
        assertThat(ppod("write", "data/bin", local.toString()).exit()).isZero();
        Path back = home.resolve("back.bin");
        assertThat(ppod("read", "data/bin", "-o", back.toString()).exit()).isZero();
        assertThat(Files.readAllBytes(back)).containsExactly(0, 1, 0xff);
        assertThat(ppod("ls", "-r").out()).contains("state.json", "data/", "data/bin");
    }

    @Test
    void aLargeFileGoesBothWaysStreamedWithAProgressBar() throws Exception {
        byte[] content = new byte[24 * 1024 * 1024 + 5];
        new java.util.Random(3).nextBytes(content);
        Path local = home.resolve("big.bin");
        Files.write(local, content);

        Run written = ppod("write", "big.bin", local.toString(), "--progress");
        assertThat(written.exit()).as(written.toString()).isZero();
        assertThat(written.out()).isEqualTo("wrote " + content.length + " bytes to big.bin\n");
        assertThat(written.err()).contains("100%").contains("MB/s");

        Path back = home.resolve("back-big.bin");
        Run read = ppod("read", "big.bin", "-o", back.toString(), "--progress");
        assertThat(read.exit()).as(read.toString()).isZero();
        assertThat(read.err()).contains("100%");
        assertThat(Files.readAllBytes(back)).isEqualTo(content);
    }

    @Test
    void aServerStartedInTheBackgroundIsListedLoggedAndKilled() throws Exception {
        Run started = ppod("start", "--name", "web", "echo serving; exec sleep 300");
        assertThat(started.out()).startsWith("web started (pid ");

        assertThat(ppod("ps").out()).contains("web").contains("running");
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(ppod("logs", "web").out()).isEqualTo("serving\n"));
        assertThat(ppod("kill", "web", "--signal", "KILL").exit()).isZero();
        ppod("start", "--name", "counter", "for i in 1 2 3; do echo n-$i; done; echo bad >&2; exit 2");
        Run followed = ppod("logs", "counter", "-f");
        assertThat(followed.out()).isEqualTo("n-1\nn-2\nn-3\n");
        assertThat(followed.err()).isEqualTo("bad\n[counter exited with 2]\n");
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(ppod("ps").out()).contains("exited"));
        assertThat(ppod("status").out()).contains("sandbox   sbx-").contains("(" + sandbox + ")");
    }

    @Test
    void aServerStartedAndExposedAnswersAtTheUrlPpodPrints() throws Exception {
        ppodIn("<p>served by ppod</p>\n", "write", "site/index.html");
        assertThat(ppod("start", "cd site && exec python -m http.server 8080 --bind 0.0.0.0")
                        .exit())
                .isZero();

        Run exposed = ppod("expose", "8080", "-q");
        assertThat(exposed.exit()).as(exposed.toString()).isZero();
        String url = exposed.out().trim();
        assertThat(url).matches("http://8080-sbx-[0-9a-f-]{12}\\.localhost:" + stack.apiPort() + "/");
        // curl, as a user would fetch it: it resolves *.localhost to the loopback itself
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(curl(url)).isEqualTo("<p>served by ppod</p>\n"));
        assertThat(ppod("status").out()).contains("exposed   8080");
        assertThat(ppod("expose", "3001").err()).startsWith("error: RESERVED_PORT");
    }

    private static String curl(String url) throws Exception {
        Process curl = new ProcessBuilder("curl", "-sS", "--fail", "--max-time", "10", url)
                .redirectErrorStream(true)
                .start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void interpretKeepsTheKernelsStateAndExitsNonZeroOnAnException() throws Exception {
        assertThat(ppod("interpret", "n = 6").exit()).isZero();
        assertThat(ppod("interpret", "print('seven'); n * 7")).isEqualTo(new Run(0, "seven\n42\n", ""));
        assertThat(ppodIn("n +\\\n 1\n", "interpret").out()).isEqualTo("7\n");

        Run failed = ppod("interpret", "undefined_name");
        assertThat(failed.exit()).isEqualTo(1);
        assertThat(failed.err()).contains("NameError: name 'undefined_name' is not defined");
    }

    @Test
    void anErrorPrintsTheServersCodeMessageAndHint() throws Exception {
        Run missing = ppod("read", "no-such-file");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).startsWith("error: FILE_NOT_FOUND: ").contains("\nhint: ");
        assertThat(missing.out()).isEmpty();

        Run noToken = ppod(null, Map.of("PAPERPOD_URL", stack.baseUrl()), "status");
        assertThat(noToken.exit()).isEqualTo(1);
        assertThat(noToken.err()).startsWith("error: NOT_LOGGED_IN").contains("ppod login");

        Run nobody = ppod(null, Map.of("PAPERPOD_URL", "http://127.0.0.1:1", "PAPERPOD_TOKEN", "x"), "status");
        assertThat(nobody.err()).startsWith("error: UNREACHABLE");

        Run noLocal = ppod("write", "x.bin", home.resolve("no-such-local-file").toString());
        assertThat(noLocal.exit()).isEqualTo(1);
        assertThat(noLocal.err()).startsWith("error: LOCAL_FILE: cannot open ").contains("no such file");

        Run usage = ppod("exec");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).contains("Missing required parameter");
    }

    @Test
    void loginStoresTheTokenForTheUserAloneAndLaterCommandsUseIt() throws Exception {
        Run login = ppod(null, Map.of(), "login", stack.devToken(), "--url", stack.baseUrl());
        assertThat(login.exit()).as(login.toString()).isZero();

        Path stored = home.resolve(".config/paperpod/credentials");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)))
                .isEqualTo("rw-------");
        Run exec = ppod(null, Map.of(), "exec", "--sandbox", sandbox, "echo logged-in");
        assertThat(exec).isEqualTo(new Run(0, "logged-in\n", ""));
        assertThat(ppod(null, Map.of(), "--help").out())
                .contains(
                        "exec",
                        "write",
                        "read",
                        "ls",
                        "start",
                        "ps",
                        "kill",
                        "logs",
                        "expose",
                        "interpret",
                        "status",
                        "reset",
                        "login",
                        "browser:screenshot",
                        "browser:pdf",
                        "browser:content",
                        "browser:markdown",
                        "browser:scrape",
                        "browser:test",
                        "browser:acquire",
                        "browser:sessions",
                        "browser:release",
                        "browser:limits",
                        "browser:connect",
                        "artifacts");
    }

    @Test
    void aPageIsTakenAsAScreenshotAPdfAndItsRenderedHtml() throws Exception {
        Path page = Files.writeString(
                home.resolve("page.html"),
                "<h1 id='t'></h1><script>document.getElementById('t').textContent = 'rendered ' + (6 * 7)</script>");
        Path shot = home.resolve("shot.png");
        Path trace = home.resolve("debug.zip");

        Run screenshot = ppod(
                "browser:screenshot",
                "--html",
                page.toString(),
                "-o",
                shot.toString(),
                "--width",
                "320",
                "--height",
                "200",
                "--trace",
                trace.toString());
        assertThat(screenshot.exit()).as(screenshot.toString()).isZero();
        assertThat(screenshot.out())
                .startsWith("wrote " + shot + " (screenshot, ")
                .contains("trace " + trace + " (")
                .contains("npx playwright show-trace " + trace);
        assertThat(Files.readString(trace, StandardCharsets.ISO_8859_1))
                .as("a zip")
                .startsWith("PK");
        Run traced = ppod(
                "browser:screenshot",
                "--html",
                page.toString(),
                "-o",
                home.resolve("traced.png").toString(),
                "--trace",
                home.resolve("traced.zip").toString(),
                "--json");
        String job = dev.paperpod.schemas.Wire.mapper()
                .readTree(traced.out())
                .path("jobId")
                .asString();
        assertThat(ppod("artifacts", job).out())
                .contains("trace.zip  application/zip  ")
                .contains("console.log  text/plain")
                .contains("network.har  application/json  ");
        Path console = home.resolve("console.log");
        assertThat(ppod("artifacts", job, "console.log", "-o", console.toString())
                        .out())
                .startsWith("wrote " + console + " (console.log, ");
        assertThat(ppod("artifacts", job, "nothing.png").err()).startsWith("error: ARTIFACT_NOT_FOUND");
        byte[] png = Files.readAllBytes(shot);
        assertThat(java.nio.ByteBuffer.wrap(png).getInt(16)).as("PNG width").isEqualTo(320);
        Path failedTrace = home.resolve("failed.zip");
        Run failed = ppod("browser:content", "http://169.254.169.254/latest/", "--trace", failedTrace.toString());
        assertThat(failed.exit()).as(failed.toString()).isEqualTo(1);
        assertThat(failed.err())
                .as("a failed page's trace is the one worth reading")
                .contains("trace " + failedTrace + " (")
                .contains("error: EGRESS_REFUSED");
        assertThat(Files.readString(failedTrace, StandardCharsets.ISO_8859_1)).startsWith("PK");

        Path pdf = home.resolve("page.pdf");
        assertThat(ppod("browser:pdf", "--html", page.toString(), "-o", pdf.toString(), "--landscape")
                        .exit())
                .isZero();
        assertThat(Files.readString(pdf, StandardCharsets.ISO_8859_1)).startsWith("%PDF-");

        Run content = ppodIn(Files.readString(page), "browser:content", "--html", "-");
        assertThat(content.exit()).as(content.toString()).isZero();
        assertThat(content.out()).contains("rendered 42");

        Run markdown = ppod("browser:markdown", "--html", page.toString());
        assertThat(markdown.exit()).as(markdown.toString()).isZero();
        assertThat(markdown.out().strip()).isEqualTo("# rendered 42");

        Run scrape = ppod("browser:scrape", "--html", page.toString(), "--selector", "h1", "--selector", "p");
        assertThat(scrape.exit()).as(scrape.toString()).isZero();
        assertThat(scrape.out()).isEqualTo("h1 (1 match)\n  rendered 42\np (0 matches)\n");
        Path steps = Files.writeString(
                home.resolve("steps.json"),
                "{\"html\": \"<h1>Hi</h1>\", \"steps\": [{\"action\": \"expect\", \"selector\": \"h1\","
                        + " \"text\": \"Hi\"}, {\"action\": \"screenshot\"}]}");
        Path testTrace = home.resolve("test-trace.zip");
        Run test = ppod(
                "browser:test",
                steps.toString(),
                "--screenshots",
                home.resolve("shots").toString(),
                "--trace",
                testTrace.toString());
        assertThat(test.exit()).as(test.toString()).isZero();
        assertThat(test.out())
                .contains("ok   1 expect (")
                .contains("ok   2 screenshot (")
                .contains("trace " + testTrace + " (")
                .contains("passed in ");
        assertThat(testTrace).isNotEmptyFile();
        assertThat(home.resolve("shots").resolve("step-2.png")).isNotEmptyFile();
        Run failing = ppodIn(
                "{\"html\": \"<title>Here</title>\", \"steps\": [{\"action\": \"expect\", \"title\":"
                        + " \"Elsewhere\", \"timeout\": 300}]}",
                "browser:test",
                "-");
        assertThat(failing.exit()).as(failing.toString()).isEqualTo(1);
        assertThat(failing.out())
                .contains("FAIL 1 expect (")
                .contains("Elsewhere")
                .contains("failed in ");

        Run acquired = ppod("browser:acquire", "--width", "400", "--height", "300");
        assertThat(acquired.exit()).as(acquired.toString()).isZero();
        String session = acquired.out().strip();
        assertThat(session).startsWith("bss-");
        assertThat(ppod("browser:content", "--html", page.toString(), "--session", session)
                        .exit())
                .isZero();
        Run kept = ppod("browser:scrape", "--session", session, "--selector", "#t");
        assertThat(kept.out())
                .as("the session's page, as the last command left it")
                .contains("rendered 42");
        assertThat(ppod("browser:sessions").out()).contains(session).contains(" s of use  idle until ");
        assertThat(ppod("browser:limits").out()).contains("sessions: ").contains(" open of ");
        assertThat(ppod("browser:connect", session).out())
                .contains("/browser/sessions/" + session + "/connect")
                .startsWith("ws://");
        assertThat(ppod("browser:release", session).out())
                .matches("released " + session + " after [1-9][0-9]* s of use\\n");
        Run gone = ppod("browser:content", "--session", session);
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).contains("SESSION_NOT_FOUND");

        Run scrapeJson = ppod("browser:scrape", "--html", page.toString(), "--selector", "#t", "--json");
        assertThat(scrapeJson.exit()).as(scrapeJson.toString()).isZero();
        assertThat(Wire.mapper()
                        .readTree(scrapeJson.out())
                        .path("data")
                        .get(0)
                        .path("results")
                        .get(0)
                        .path("attributes")
                        .get(0)
                        .path("value")
                        .asString())
                .isEqualTo("t");

        Run refused = ppod(
                "browser:screenshot",
                "file:///etc/passwd",
                "-o",
                home.resolve("no.png").toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err())
                .contains("error: INVALID_FIELD")
                .contains("(url)")
                .contains("hint: ");
        Run neither = ppod("browser:pdf");
        assertThat(neither.exit()).isEqualTo(2);
        assertThat(neither.err()).contains("a URL, or --html");
    }
}
