package dev.paperpod.api.sandbox;

import dev.paperpod.api.web.ApiException;
import dev.paperpod.schemas.sandbox.SandboxOperation;
import dev.paperpod.schemas.sandbox.SandboxReply;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** A sandbox's refusal as the client is told of it: the status, the field at fault, what to do. */
final class SandboxErrors {

    private SandboxErrors() {}

    static ApiException of(SandboxReply.Failure failure, SandboxOperation operation) {
        String code = failure.code();
        String message = failure.message();
        String path = pathField(operation);
        return switch (code) {
            case "NOT_FOUND" ->
                operation instanceof SandboxOperation.KillProcess || operation instanceof SandboxOperation.ProcessLogs
                        ? new ApiException(
                                HttpStatus.NOT_FOUND,
                                "PROCESS_NOT_FOUND",
                                message,
                                "POST /process/list shows the sandbox's processes",
                                "name")
                        : new ApiException(
                                HttpStatus.NOT_FOUND,
                                "FILE_NOT_FOUND",
                                message,
                                "POST /files/list shows what is there; relative paths are under /workspace",
                                path);
            case "IS_A_DIRECTORY" ->
                new ApiException(
                        HttpStatus.BAD_REQUEST, code, message, "this is a directory: POST /files/list lists it", path);
            case "NOT_A_DIRECTORY" ->
                new ApiException(
                        HttpStatus.BAD_REQUEST, code, message, "a part of the path is a file, not a directory", path);
            case "EXISTS" ->
                operation instanceof SandboxOperation.StartProcess
                        ? new ApiException(
                                HttpStatus.CONFLICT,
                                "PROCESS_EXISTS",
                                message,
                                "kill it first (POST /process/kill), or start this one under another name",
                                "name")
                        : new ApiException(
                                HttpStatus.CONFLICT,
                                "FILE_EXISTS",
                                message,
                                "send \"overwrite\": true to replace it",
                                "to");
            case "NOT_EMPTY" ->
                new ApiException(
                        HttpStatus.CONFLICT,
                        code,
                        message,
                        "send \"recursive\": true to delete the directory and all it holds",
                        path);
            case "DENIED" ->
                new ApiException(
                        HttpStatus.FORBIDDEN,
                        code,
                        message,
                        "the root file system is read-only: write under /workspace, /tmp or $HOME",
                        path);
            case "TOO_LARGE" ->
                new ApiException(
                        HttpStatus.PAYLOAD_TOO_LARGE,
                        code,
                        message,
                        "read it in parts with POST /execute (e.g. head -c, split), or compress it first",
                        path);
            case "BAD_CWD" ->
                new ApiException(
                        HttpStatus.BAD_REQUEST,
                        code,
                        message,
                        "make the directory first, or leave cwd out for /workspace",
                        "cwd");
            case "BAD_REQUEST" -> new ApiException(HttpStatus.BAD_REQUEST, code, message, "see docs/api.md", null);
            case "SANDBOX_LIMIT" ->
                new ApiException(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        code,
                        message,
                        "retry once other sandboxes on that worker are reset or expire idle; an operator may raise"
                                + " paperpod.worker.account-sandbox.max or add workers",
                        null);
            case "SANDBOX_UNAVAILABLE", "SANDBOX_LOST" ->
                new ApiException(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        code,
                        message,
                        "retry: the next call gets a new sandbox; GET /health shows whether workers are up",
                        null);
            default ->
                new ApiException(
                        HttpStatus.BAD_GATEWAY,
                        code,
                        message,
                        "retry; if it persists, POST /sandbox/reset gives you a fresh sandbox",
                        null);
        };
    }

    private static @Nullable String pathField(SandboxOperation operation) {
        if (operation instanceof SandboxOperation.MoveFile) {
            return "from";
        }
        if (operation instanceof SandboxOperation.StartProcess) {
            return "cwd";
        }
        if (operation instanceof SandboxOperation.WriteFile
                || operation instanceof SandboxOperation.ReadFile
                || operation instanceof SandboxOperation.ListFiles
                || operation instanceof SandboxOperation.DeleteFile) {
            return "path";
        }
        return null;
    }
}
