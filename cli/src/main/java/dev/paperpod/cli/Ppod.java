package dev.paperpod.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * {@code ppod}: your PaperPod sandbox from a shell. Every command acts on your own sandbox ({@code --sandbox} names
 * another), prints what a person reads (or the server's JSON with {@code --json}), and on an error prints the
 * server's code, message and hint to standard error and exits 1.
 */
@Command(
        name = "ppod",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT, // --help and --version on every command
        version = "ppod 0.1.0",
        description = "Your PaperPod sandbox from a shell: run code, move files, run servers, take pages.",
        subcommands = {
            CommandLine.HelpCommand.class,
            Ppod.LoginCommand.class,
            Ppod.Exec.class,
            Ppod.Write.class,
            Ppod.Read.class,
            Ppod.Ls.class,
            Ppod.Start.class,
            Ppod.Ps.class,
            Ppod.Kill.class,
            Ppod.Logs.class,
            Ppod.Expose.class,
            Ppod.Interpret.class,
            Ppod.Status.class,
            Ppod.Reset.class,
            BrowserCommands.Screenshot.class,
            BrowserCommands.Pdf.class,
            BrowserCommands.Content.class,
            BrowserCommands.Markdown.class,
            BrowserCommands.Scrape.class,
            BrowserCommands.Test.class,
            BrowserCommands.Acquire.class,
            BrowserCommands.Sessions.class,
            BrowserCommands.Release.class,
            BrowserCommands.Limits.class,
            BrowserCommands.Connect.class,
            ArtifactsCommand.class
        })
public final class Ppod implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    /** Runs one command line; answers the exit code. */
    static int run(String[] args, Map<String, String> env) {
        CommandLine line = new CommandLine(new Ppod());
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof Client.Failure f) {
                PrintWriter err = cmd.getErr();
                err.println("error: " + f.code + ": " + f.getMessage() + (f.field == null ? "" : " (" + f.field + ")"));
                if (!f.hint.isEmpty()) {
                    err.println("hint: " + f.hint);
                }
                err.flush();
                return 1;
            }
            if (e instanceof NoSuchFileException || e instanceof AccessDeniedException) {
                PrintWriter err = cmd.getErr();
                err.println("error: LOCAL_FILE: cannot open " + e.getMessage()
                        + (e instanceof NoSuchFileException ? ": no such file" : ": permission denied"));
                err.flush();
                return 1;
            }
            throw e;
        });
        ENV.set(env);
        return line.execute(args);
    }

    static final ThreadLocal<Map<String, String>> ENV = ThreadLocal.withInitial(System::getenv);

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** What every command that calls the server takes. */
    static final class Target {
        @Option(
                names = {"-s", "--sandbox"},
                description = "which of your sandboxes (default: default)")
        @Nullable
        String sandbox;

        @Option(names = "--json", description = "print the server's JSON answer")
        boolean json;

        @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
        CommandLine.Model.CommandSpec spec;

        Client client() throws Client.Failure {
            try {
                return new Client(Login.read(ENV.get()), sandbox);
            } catch (IOException e) {
                throw new Client.Failure(
                        "BAD_CREDENTIALS",
                        "cannot read " + Login.file(ENV.get()) + ": " + e,
                        "run `ppod login` again",
                        null);
            }
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        /** Prints the JSON with {@code --json}; answers whether it did. */
        boolean printedJson(JsonNode answer) {
            if (json) {
                out().println(Client.JSON.writeValueAsString(answer));
                out().flush();
            }
            return json;
        }
    }

    @Command(name = "login", description = "Store your token (and PaperPod's URL) for the next commands.")
    static final class LoginCommand implements Callable<Integer> {
        @Parameters(index = "0", description = "your bearer token")
        String token;

        @Option(
                names = "--url",
                description = "PaperPod's base URL (default: ${DEFAULT-VALUE})",
                defaultValue = Login.DEFAULT_URL)
        String url;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path file = Login.store(ENV.get(), url, token);
            JsonNode status = new Client(new Login(url, token), null).get("/status");
            spec.commandLine()
                    .getOut()
                    .println("logged in to " + url + " (your sandbox: "
                            + status.path("sandboxId").asString() + "); token stored in " + file);
            return 0;
        }
    }

    @Command(name = "exec", description = "Run code in your sandbox, its output as it comes; exits with its exit code.")
    static final class Exec implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(arity = "1..*", description = "the code (words are joined by spaces)")
        List<String> code;

        @Option(
                names = {"-l", "--language"},
                description = "shell (default), python or javascript",
                defaultValue = "shell")
        String language;

        @Option(
                names = {"-t", "--timeout"},
                description = "wall-clock limit in milliseconds")
        @Nullable
        Long timeoutMs;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("language", language);
            body.put("code", String.join(" ", code));
            if (timeoutMs != null) {
                body.put("timeoutMs", timeoutMs);
            }
            Client client = target.client();
            if (target.json) {
                target.printedJson(client.post("/execute", body));
                return 0;
            }
            JsonNode[] end = new JsonNode[1];
            JsonNode[] error = new JsonNode[1];
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            client.stream("/execute/stream", body, (event, data) -> {
                switch (event) {
                    case "output" -> {
                        boolean stderr = data.path("stream").asString().equals("stderr");
                        print(stderr, data.path("data").asString(), stderr ? err : out);
                    }
                    case "finished" -> end[0] = data;
                    case "error" -> error[0] = data.path("error");
                    default -> {}
                }
            });
            if (error[0] != null) {
                throw new Client.Failure(
                        error[0].path("code").asString(),
                        error[0].path("message").asString(),
                        error[0].path("hint").asString(),
                        null);
            }
            if (end[0] == null) {
                throw new Client.Failure("NO_ANSWER", "the stream ended without the run's end", "try again", null);
            }
            // the answer holds the whole output; what the stream had not carried yet is the rest of it
            printRest(false, end[0].path("stdout").asString(), out);
            printRest(true, end[0].path("stderr").asString(), err);
            if (end[0].path("sandboxRestarted").asBoolean()) {
                System.err.println("note: your sandbox was made anew (it was "
                        + end[0].path("previousSandboxId").asString() + "): files and processes of before are gone");
            }
            String verdict = end[0].path("verdict").asString();
            if (!verdict.equals("OK")) {
                System.err.println("ppod: the run ended " + verdict);
            }
            return end[0].has("exitCode") ? end[0].path("exitCode").asInt() : 124;
        }

        private static void print(boolean stderr, String text, StringBuilder printed) {
            java.io.PrintStream to = stderr ? System.err : System.out;
            to.print(text);
            to.flush();
            printed.append(text);
        }

        private static void printRest(boolean stderr, String whole, StringBuilder printed) {
            if (whole.length() > printed.length() && whole.startsWith(printed.toString())) {
                print(stderr, whole.substring(printed.length()), printed);
            }
        }
    }

    @Command(name = "write", description = "Write a file in your sandbox from a local file, or from standard input.")
    static final class Write implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(index = "0", description = "the path in the sandbox (relative: under /workspace)")
        String path;

        @Parameters(index = "1", arity = "0..1", description = "the local file (default: standard input)")
        @Nullable
        Path file;

        @Option(names = "--progress", description = "show a progress bar (shown anyway for large files on a terminal)")
        boolean progress;

        @Override
        public Integer call() throws Exception {
            long size = file == null ? -1 : Files.size(file);
            Client.Progress bar = ProgressBar.of(progress, size, "write " + path);
            JsonNode answer;
            try (InputStream in = file == null ? System.in : Files.newInputStream(file)) {
                answer = target.client().upload(content(path), in, size, bar);
            }
            if (bar instanceof ProgressBar b && size < 0) {
                b.done();
            }
            if (!target.printedJson(answer)) {
                target.out().println("wrote " + answer.path("size").asLong() + " bytes to " + path);
            }
            return 0;
        }
    }

    /** The streamed file endpoint for a path of the sandbox. */
    static String content(String path) {
        return "/files/content?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8);
    }

    @Command(name = "read", description = "Print a file of your sandbox (its bytes as they are).")
    static final class Read implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(index = "0", description = "the path in the sandbox")
        String path;

        @Option(
                names = {"-o", "--output"},
                description = "write it to this local file instead")
        @Nullable
        Path output;

        @Option(names = "--progress", description = "show a progress bar (shown anyway for large files on a terminal)")
        boolean progress;

        @Override
        public Integer call() throws Exception {
            if (target.json) {
                target.printedJson(target.client().post("/files/read", Map.of("path", path, "encoding", "base64")));
                return 0;
            }
            ProgressBar bar = progress || (System.console() != null && output != null)
                    ? new ProgressBar(System.err, "read " + path)
                    : null;
            Client.Progress shown = bar == null ? (done, total) -> {} : bar;
            if (output != null) {
                try (OutputStream out = Files.newOutputStream(output)) {
                    target.client().download(content(path), out, shown);
                }
            } else {
                target.client().download(content(path), System.out, shown);
            }
            return 0;
        }
    }

    @Command(name = "ls", description = "List a directory of your sandbox.")
    static final class Ls implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(index = "0", arity = "0..1", description = "the directory (default: /workspace)")
        @Nullable
        String path;

        @Option(
                names = {"-r", "--recursive"},
                description = "and everything under it")
        boolean recursive;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            if (path != null) {
                body.put("path", path);
            }
            body.put("recursive", recursive);
            JsonNode answer = target.client().post("/files/list", body);
            if (!target.printedJson(answer)) {
                for (JsonNode e : answer.path("entries")) {
                    String name = e.path("name").asString()
                            + (e.path("type").asString().equals("dir") ? "/" : "");
                    target.out().printf("%10d  %s%n", e.path("size").asLong(), name);
                }
            }
            return 0;
        }
    }

    @Command(name = "start", description = "Start a background process in your sandbox (a server, a watcher).")
    static final class Start implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(arity = "1..*", description = "the shell command (words are joined by spaces)")
        List<String> command;

        @Option(
                names = {"-n", "--name"},
                description = "its name for ps, logs and kill")
        @Nullable
        String name;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("command", String.join(" ", command));
            if (name != null) {
                body.put("name", name);
            }
            JsonNode answer = target.client().post("/process/start", body);
            if (!target.printedJson(answer)) {
                target.out()
                        .println(answer.path("name").asString() + " started (pid "
                                + answer.path("pid").asLong() + ")");
            }
            return 0;
        }
    }

    @Command(name = "ps", description = "List your sandbox's background processes.")
    static final class Ps implements Callable<Integer> {
        @Mixin
        Target target;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = target.client().post("/process/list", Map.of());
            if (!target.printedJson(answer)) {
                target.out().printf("%-20s %8s  %s%n", "NAME", "PID", "STATE");
                for (JsonNode p : answer.path("processes")) {
                    String state = p.path("running").asBoolean()
                            ? "running"
                            : "exited " + p.path("exitCode").asInt();
                    target.out()
                            .printf(
                                    "%-20s %8d  %s%n",
                                    p.path("name").asString(), p.path("pid").asLong(), state);
                }
            }
            return 0;
        }
    }

    @Command(name = "kill", description = "Stop a background process (its whole session).")
    static final class Kill implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(index = "0", description = "its name")
        String name;

        @Option(names = "--signal", description = "TERM (default) or KILL", defaultValue = "TERM")
        String signal;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = target.client().post("/process/kill", Map.of("name", name, "signal", signal));
            if (!target.printedJson(answer)) {
                target.out().println("sent " + signal + " to " + name);
            }
            return 0;
        }
    }

    @Command(
            name = "logs",
            description = "Print the output a background process kept (its last 64 KiB); -f to follow it.")
    static final class Logs implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(index = "0", description = "its name")
        String name;

        @Option(
                names = {"-f", "--follow"},
                description = "then print its output as it comes, until it exits")
        boolean follow;

        @Override
        public Integer call() throws Exception {
            if (follow) {
                target.client().stream("/process/logs", Map.of("name", name, "follow", true), (event, data) -> {
                    if (event.equals("output")) {
                        boolean err = data.path("stream").asString().equals("stderr");
                        (err ? System.err : System.out).print(data.path("data").asString());
                        (err ? System.err : System.out).flush();
                    } else if (event.equals("exited") && data.has("exitCode")) {
                        System.err.println("[" + name + " exited with "
                                + data.path("exitCode").asInt() + "]");
                    }
                });
                return 0;
            }
            JsonNode answer = target.client().post("/process/logs", Map.of("name", name));
            if (!target.printedJson(answer)) {
                System.out.print(answer.path("stdout").asString());
                System.out.flush();
                System.err.print(answer.path("stderr").asString());
                System.err.flush();
            }
            return 0;
        }
    }

    @Command(name = "expose", description = "Give a port of your sandbox a preview URL (a server bound to 0.0.0.0).")
    static final class Expose implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(index = "0", description = "the port the server listens on")
        int port;

        @Option(
                names = {"-q", "--quiet"},
                description = "print the URL only")
        boolean quiet;

        @Option(names = "--private", description = "open only with your token or the preview's own (printed)")
        boolean isPrivate;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("port", port);
            if (isPrivate) {
                body.put("private", true);
            }
            JsonNode answer = target.client().post("/expose", body);
            if (target.printedJson(answer)) {
                return 0;
            }
            PrintWriter out = target.out();
            if (quiet) {
                out.println(answer.path("url").asString());
                return 0;
            }
            out.println(answer.path("url").asString());
            out.println("  also  " + answer.path("pathUrl").asString());
            if (answer.has("token")) {
                out.println("  token " + answer.path("token").asString() + "  (header "
                        + "X-PaperPod-Preview-Token, or ?paperpod_token= once in a browser)");
            }
            return 0;
        }
    }

    @Command(
            name = "interpret",
            description = "Run Python like a notebook cell in your sandbox's kernel: state stays between calls, the"
                    + " last expression's value is printed.")
    static final class Interpret implements Callable<Integer> {
        @Mixin
        Target target;

        @Parameters(arity = "0..*", description = "the code (words are joined by spaces; standard input when none)")
        @Nullable
        List<String> code;

        @Option(names = "--timeout", description = "milliseconds the cell may run (default: the server's)")
        @Nullable
        Long timeoutMs;

        @Option(names = "--figures", description = "save the cell's figures (PNG) into this directory")
        @Nullable
        Path figures;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put(
                    "code",
                    code == null || code.isEmpty()
                            ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                            : String.join(" ", code));
            if (timeoutMs != null) {
                body.put("timeoutMs", timeoutMs);
            }
            JsonNode a = target.client().post("/interpret", body);
            if (target.printedJson(a)) {
                return a.path("error").isObject() ? 1 : 0;
            }
            PrintWriter out = target.out();
            out.print(a.path("stdout").asString());
            out.flush();
            System.err.print(a.path("stderr").asString());
            if (a.path("kernelRestarted").asBoolean()) {
                System.err.println(
                        "[kernel restarted: " + a.path("restartReason").asString() + "]");
            }
            int n = 0;
            for (JsonNode d : a.path("displays")) {
                n++;
                if (d.has("image/png")) {
                    byte[] png = java.util.Base64.getDecoder()
                            .decode(d.path("image/png").asString());
                    if (figures != null) {
                        Files.createDirectories(figures);
                        Path file = figures.resolve(
                                "figure-" + a.path("executionCount").asLong() + "-" + n + ".png");
                        Files.write(file, png);
                        System.err.println("[figure " + n + " saved to " + file + "]");
                    } else {
                        System.err.println(
                                "[figure " + n + ": " + png.length + " bytes of PNG; --figures DIR saves it]");
                    }
                }
            }
            if (a.path("result").isObject()) {
                out.println(a.path("result").path("text/plain").asString());
            }
            out.flush();
            JsonNode error = a.path("error");
            if (error.isObject()) {
                String tb = error.path("traceback").asString();
                System.err.print(
                        tb.isEmpty()
                                ? error.path("name").asString() + ": "
                                        + error.path("value").asString() + "\n"
                                : tb);
                System.err.flush();
                return 1;
            }
            System.err.flush();
            return 0;
        }
    }

    @Command(name = "status", description = "Your sandbox: its id, age, limits and processes.")
    static final class Status implements Callable<Integer> {
        @Mixin
        Target target;

        @Override
        public Integer call() throws Exception {
            JsonNode s = target.client().get("/status");
            if (!target.printedJson(s)) {
                PrintWriter out = target.out();
                out.println("sandbox   " + s.path("sandboxId").asString() + " ("
                        + s.path("name").asString() + ")");
                out.println("up        " + s.path("uptimeMs").asLong() / 1000 + " s, idle expiry "
                        + s.path("idleExpiresAt").asString());
                out.println("network   " + s.path("network").asString());
                out.println("limits    " + s.path("memoryLimitBytes").asLong() / (1024 * 1024) + " MiB, "
                        + s.path("cpus").asDouble() + " CPU, "
                        + s.path("pidsLimit").asLong() + " processes");
                out.println("in use    memory " + mib(s, "memoryBytes") + " of " + mib(s, "memoryLimitBytes")
                        + ", /workspace " + mib(s, "diskBytes") + " of " + mib(s, "diskLimitBytes")
                        + ", /tmp " + mib(s, "tmpBytes") + " of " + mib(s, "tmpLimitBytes"));
                out.println("processes " + s.path("processes").size());
                List<String> ports = new ArrayList<>();
                s.path("exposedPorts")
                        .forEach(p -> ports.add(
                                p.path("port").asInt() + (p.path("private").asBoolean() ? " (private)" : "")));
                out.println("exposed   " + (ports.isEmpty() ? "none" : String.join(", ", ports)));
            }
            return 0;
        }
    }

    private static String mib(JsonNode status, String field) {
        return status.has(field) ? status.path(field).asLong() / (1024 * 1024) + " MiB" : "?";
    }

    @Command(name = "reset", description = "End your sandbox, files and processes, and get a fresh one.")
    static final class Reset implements Callable<Integer> {
        @Mixin
        Target target;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = target.client().post("/sandbox/reset", Map.of());
            if (!target.printedJson(answer)) {
                target.out().println("fresh sandbox " + answer.path("sandboxId").asString());
            }
            return 0;
        }
    }
}
