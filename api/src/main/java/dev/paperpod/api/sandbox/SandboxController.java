package dev.paperpod.api.sandbox;

import dev.paperpod.api.auth.Caller;
import dev.paperpod.api.exec.ExecSpecParser;
import dev.paperpod.api.web.ApiException;
import dev.paperpod.api.web.JsonBody;
import dev.paperpod.schemas.Wire;
import dev.paperpod.schemas.http.SandboxRequests;
import dev.paperpod.schemas.sandbox.SandboxAnswer;
import dev.paperpod.schemas.sandbox.SandboxOperation;
import dev.paperpod.store.PreviewStore;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The account's own sandbox: its files, its background processes, its status and its reset. Every answer names the
 * sandbox ({@code sandboxId}), and says {@code "sandboxRestarted": true} with the {@code previousSandboxId} when it
 * is not the one of the last call (its worker was lost, or it idled past its expiry).
 */
@RestController
class SandboxController {

    /** The most a file read answers whole; a reply travels in one Kafka record. */
    static final long MAX_READ_BYTES = 4L * 1024 * 1024;

    private static final Pattern PROCESS_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final long DEFAULT_TAIL = 64 * 1024;

    private final JsonBody body;
    private final SandboxRouter router;
    private final PreviewStore previews;
    private final ProcessLogStreams logStreams;
    private final Clock clock;

    SandboxController(
            JsonBody body, SandboxRouter router, PreviewStore previews, ProcessLogStreams logStreams, Clock clock) {
        this.body = body;
        this.router = router;
        this.previews = previews;
        this.logStreams = logStreams;
        this.clock = clock;
    }

    @PostMapping("/files/write")
    ObjectNode write(Caller caller, HttpServletRequest request) {
        SandboxRequests.WriteFile w = body.read(request, SandboxRequests.WriteFile.class);
        String path = path("path", w.path());
        if (w.content() == null) {
            throw ApiException.invalidField(
                    "content",
                    "content is required",
                    "send the file's text as \"content\" (\"encoding\": \"base64\" for binary)");
        }
        byte[] content = decode(w.content(), w.encoding());
        if (w.mode() != null && (w.mode() < 0 || w.mode() > 07777)) {
            throw ApiException.invalidField(
                    "mode", "mode " + w.mode() + " is not a Unix permission", "send e.g. 420 (0644) or 493 (0755)");
        }
        return run(
                caller,
                request,
                new SandboxOperation.WriteFile(path, content, w.mode(), Boolean.TRUE.equals(w.append())),
                path);
    }

    @PostMapping("/files/read")
    ObjectNode read(Caller caller, HttpServletRequest request) {
        SandboxRequests.ReadFile r = body.read(request, SandboxRequests.ReadFile.class);
        String path = path("path", r.path());
        boolean base64 = base64(r.encoding());
        SandboxRouter.Answered answered =
                router.command(caller, SandboxNames.kept(request), new SandboxOperation.ReadFile(path, MAX_READ_BYTES));
        SandboxAnswer.FileContent file = (SandboxAnswer.FileContent) answered.answer();
        ObjectNode out = Wire.mapper().createObjectNode();
        out.put("path", path);
        if (base64) {
            out.put("content", Base64.getEncoder().encodeToString(file.content()));
        } else {
            out.put("content", text(file.content(), path));
        }
        out.put("encoding", base64 ? "base64" : "utf8");
        out.put("size", file.size());
        out.put("mode", file.mode());
        out.put("modifiedAt", file.modifiedAt().toString());
        return answered.seen().addTo(out);
    }

    @PostMapping("/files/list")
    ObjectNode list(Caller caller, HttpServletRequest request) {
        SandboxRequests.ListFiles l = body.read(request, SandboxRequests.ListFiles.class);
        String path = l.path() == null ? "/workspace" : path("path", l.path());
        return run(caller, request, new SandboxOperation.ListFiles(path, Boolean.TRUE.equals(l.recursive())), path);
    }

    @PostMapping("/files/delete")
    ObjectNode delete(Caller caller, HttpServletRequest request) {
        SandboxRequests.DeleteFile d = body.read(request, SandboxRequests.DeleteFile.class);
        String path = path("path", d.path());
        return run(caller, request, new SandboxOperation.DeleteFile(path, Boolean.TRUE.equals(d.recursive())), path);
    }

    @PostMapping("/files/move")
    ObjectNode move(Caller caller, HttpServletRequest request) {
        SandboxRequests.MoveFile m = body.read(request, SandboxRequests.MoveFile.class);
        String from = path("from", m.from());
        String to = path("to", m.to());
        ObjectNode out =
                run(caller, request, new SandboxOperation.MoveFile(from, to, Boolean.TRUE.equals(m.overwrite())), null);
        out.put("from", from);
        out.put("to", to);
        return out;
    }

    @PostMapping("/process/start")
    ObjectNode start(Caller caller, HttpServletRequest request) {
        SandboxRequests.StartProcess p = body.read(request, SandboxRequests.StartProcess.class);
        if (p.command() == null || p.command().isBlank()) {
            throw ApiException.invalidField(
                    "command",
                    p.command() == null ? "command is required" : "command is empty",
                    "send the shell command to run in the background, e.g. \"python3 -m http.server 8080\"");
        }
        String name = p.name() == null ? "p-" + UUID.randomUUID().toString().substring(0, 8) : processName(p.name());
        Map<String, String> env = ExecSpecParser.env(p.env());
        String cwd = p.cwd() == null ? null : path("cwd", p.cwd());
        return run(caller, request, new SandboxOperation.StartProcess(name, p.command(), env, cwd), null);
    }

    @PostMapping("/process/list")
    ObjectNode processes(Caller caller, HttpServletRequest request) {
        return run(caller, request, new SandboxOperation.ListProcesses(), null);
    }

    @PostMapping("/process/kill")
    ObjectNode kill(Caller caller, HttpServletRequest request) {
        SandboxRequests.KillProcess k = body.read(request, SandboxRequests.KillProcess.class);
        String name = processName(k.name());
        String signal = k.signal() == null ? "TERM" : k.signal();
        if (!signal.equals("TERM") && !signal.equals("KILL")) {
            throw ApiException.invalidField(
                    "signal", "signal '" + signal + "' is not one PaperPod sends", "send \"TERM\" or \"KILL\"");
        }
        ObjectNode out = run(caller, request, new SandboxOperation.KillProcess(name, signal), null);
        out.put("name", name);
        out.put("signal", signal);
        return out;
    }

    /** The output kept; with {@code "follow": true}, then the output as it comes, as server-sent events. */
    @PostMapping("/process/logs")
    @Nullable
    ObjectNode logs(Caller caller, HttpServletRequest request, HttpServletResponse response) throws IOException {
        SandboxRequests.ProcessLogs l = body.read(request, SandboxRequests.ProcessLogs.class);
        String name = processName(l.name());
        long tail = l.tail() == null ? DEFAULT_TAIL : l.tail();
        if (tail < 0 || tail > 1024 * 1024) {
            throw ApiException.invalidField(
                    "tail", "tail " + tail + " is out of range", "send the bytes of output to answer, 0 to 1048576");
        }
        if (Boolean.TRUE.equals(l.follow())) {
            logStreams.follow(caller, SandboxNames.kept(request), name, tail, response);
            return null;
        }
        return run(caller, request, new SandboxOperation.ProcessLogs(name, tail), null);
    }

    /** {@code GET /status}: the sandbox, made if it is not there yet. */
    @GetMapping("/status")
    ObjectNode status(Caller caller, HttpServletRequest request) {
        String name = SandboxNames.kept(request);
        SandboxRouter.Answered answered = router.command(caller, name, new SandboxOperation.Status());
        SandboxAnswer.Status status = (SandboxAnswer.Status) answered.answer();
        ObjectNode out = answerFields(status);
        out.put("name", name);
        out.put(
                "uptimeMs",
                Math.max(
                        0, Duration.between(status.createdAt(), clock.instant()).toMillis()));
        ArrayNode exposed = out.putArray("exposedPorts");
        for (PreviewStore.Preview p : previews.of(answered.seen().sandboxId())) {
            exposed.addObject().put("port", p.port()).put("private", p.isPrivate());
        }
        return answered.seen().addTo(out);
    }

    /** Ends the sandbox, files and processes, and answers the fresh one that takes its place. */
    @PostMapping("/sandbox/reset")
    ObjectNode reset(Caller caller, HttpServletRequest request) {
        SandboxRouter.Answered answered =
                router.command(caller, SandboxNames.kept(request), new SandboxOperation.Reset());
        ObjectNode out = Wire.mapper().createObjectNode();
        out.put("sandboxId", answered.seen().sandboxId());
        if (answered.seen().previousSandboxId() != null) {
            out.put("previousSandboxId", answered.seen().previousSandboxId());
        }
        return out;
    }

    private ObjectNode run(Caller caller, HttpServletRequest request, SandboxOperation op, @Nullable String path) {
        SandboxRouter.Answered answered = router.command(caller, SandboxNames.kept(request), op);
        ObjectNode out = answerFields(answered.answer());
        if (path != null) {
            out.put("path", path);
        }
        return answered.seen().addTo(out);
    }

    private static ObjectNode answerFields(SandboxAnswer answer) {
        ObjectNode out = (ObjectNode) Wire.mapper().valueToTree(answer);
        out.remove("type");
        return out;
    }

    static String path(String field, @Nullable String path) {
        if (path == null || path.isEmpty()) {
            throw ApiException.invalidField(
                    field, field + " is required", "send a path; relative ones are under /workspace");
        }
        if (path.indexOf('\0') >= 0) {
            throw ApiException.invalidField(field, field + " holds a NUL byte", "send a path without one");
        }
        return path;
    }

    private static String processName(@Nullable String name) {
        if (name == null) {
            throw ApiException.invalidField(
                    "name", "name is required", "send the name /process/start answered; POST /process/list lists them");
        }
        if (!PROCESS_NAME.matcher(name).matches()) {
            throw ApiException.invalidField(
                    "name", "'" + name + "' is not a process name", "use 1 to 64 of letters, digits, '.', '_', '-'");
        }
        return name;
    }

    private static boolean base64(@Nullable String encoding) {
        if (encoding == null || encoding.equals("utf8")) {
            return false;
        }
        if (encoding.equals("base64")) {
            return true;
        }
        throw ApiException.invalidField(
                "encoding", "encoding '" + encoding + "' is not supported", "use \"utf8\" (the default) or \"base64\"");
    }

    private static byte[] decode(String content, @Nullable String encoding) {
        if (!base64(encoding)) {
            return content.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return Base64.getMimeDecoder().decode(content);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalidField(
                    "content", "content is not base64: " + e.getMessage(), "send standard base64, or utf8 text");
        }
    }

    private static String text(byte[] content, String path) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(
                    HttpStatus.UNPROCESSABLE_ENTITY,
                    "NOT_TEXT",
                    path + " is binary, not UTF-8 text",
                    "send \"encoding\": \"base64\" to read it as base64",
                    "encoding");
        }
    }
}
