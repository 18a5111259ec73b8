# The /interpret kernel: Python cells run one after another in one namespace, like a notebook's, inside the
# account's sandbox. The worker writes this file into the sandbox, starts it as a background process and reaches
# it through the agent's tunnel to 127.0.0.1:<port>: one JSON line in ({"code": ...}), one JSON line out.
# Standard library only; matplotlib figures and pandas frames are shown when those are there.
import ast
import base64
import contextlib
import io
import json
import os
import socket
import sys
import traceback

OUTPUT_LIMIT = 1024 * 1024  # characters of stdout, and of stderr, a cell answers
namespace = {"__name__": "__main__", "__builtins__": __builtins__}
count = 0


class Capped(io.StringIO):
    """Keeps the first OUTPUT_LIMIT characters written; says whether more came."""

    def __init__(self):
        super().__init__()
        self.cut = False

    def write(self, s):
        room = OUTPUT_LIMIT - self.tell()
        if len(s) > room:
            self.cut = True
            s = s[:max(room, 0)]
        return super().write(s) if s else 0


def bundle(value):
    """A value as a notebook shows it: its text, and its HTML when it has one (a pandas DataFrame)."""
    shown = {"text/plain": repr(value)}
    html = getattr(value, "_repr_html_", None)
    if callable(html):
        try:
            h = html()
            if h:
                shown["text/html"] = h
        except Exception:
            pass
    return shown


def figures():
    """The cell's matplotlib figures as PNG, then closed; none when matplotlib was not used."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    shown = []
    for number in plt.get_fignums():
        buffer = io.BytesIO()
        plt.figure(number).savefig(buffer, format="png", bbox_inches="tight")
        shown.append({"image/png": base64.b64encode(buffer.getvalue()).decode("ascii")})
    plt.close("all")
    return shown


def failure(e):
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != "<cell>":
        tb = tb.tb_next  # the kernel's own frames are not the user's business
    lines = traceback.format_exception(type(e), e, tb) if tb is not None else traceback.format_exception_only(type(e), e)
    return {"name": type(e).__name__, "value": str(e), "traceback": "".join(lines)}


def run(code):
    global count
    count += 1
    out, err = Capped(), Capped()
    result, error = None, None
    try:
        tree = ast.parse(code, "<cell>", "exec")
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            exec(compile(tree, "<cell>", "exec"), namespace)
            if last is not None:
                value = eval(compile(last, "<cell>", "eval"), namespace)
                if value is not None:
                    namespace["_"] = value
                    result = bundle(value)
    except BaseException as e:  # SystemExit and KeyboardInterrupt end the cell, not the kernel
        error = failure(e)
    try:
        displays = figures()
    except Exception as e:
        displays, error = [], error or failure(e)
    return {
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
        "truncated": out.cut or err.cut,
        "result": result,
        "displays": displays,
        "error": error,
        "executionCount": count,
    }


def main():
    port = int(sys.argv[1])
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(8)
    print("kernel ready on port %d (pid %d)" % (port, os.getpid()), flush=True)
    while True:
        connection, _ = server.accept()
        with connection, connection.makefile("rwb") as stream:
            line = stream.readline()
            if not line:
                continue
            answer = run(json.loads(line)["code"])
            stream.write((json.dumps(answer) + "\n").encode("utf-8"))
            stream.flush()


if __name__ == "__main__":
    main()
