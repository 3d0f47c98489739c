"""The serving worker: ``python -m emkit.serving --model-dir DIR --framework FW``.

The bridge starts it with ``--socket PATH`` (a Unix domain socket in the bridge's private
directory, so only the bridge's user can call the model) and waits for its one line on
stdout, ``EMKIT_WORKER_READY {"socket": PATH, "pid": PID}``: by then the model is loaded
and the socket bound, so the gateway can forward to it at once. Run by hand, it listens on
``--host``/``--port`` instead and says ``{"port": P, "pid": PID}``.

On SIGTERM (or SIGINT, or with ``--stop-on-stdin-eof`` when the bridge that started it
goes away) it stops accepting, lets the requests under way finish (for up to DRAIN_GRACE
seconds) and exits 0: that is what lets the gateway switch stages without dropping a
request. With ``--die-with-parent`` Linux kills it when the bridge ends, even in the
middle of a prediction. A model that can't be loaded is said on stderr, with exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys

from . import loaders
from .http11 import Server
from .routes import App

DRAIN_GRACE = 5.0
READY = "EMKIT_WORKER_READY"
DEFAULT_MAX_BODY = 10 * 1024 * 1024


def parse_args(argv: list) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m emkit.serving", description="Serve one model: JSON over HTTP/1.1.")
    parser.add_argument("--model-dir", required=True, help="the directory holding the model")
    parser.add_argument("--framework", required=True, choices=loaders.FRAMEWORKS)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (the default): one the OS picks")
    parser.add_argument(
        "--socket",
        help="listen on this Unix domain socket instead of TCP (the bridge's way: only its directory's owner gets in)",
    )
    parser.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY, help="larger bodies get 413")
    parser.add_argument("--name", help="the model's name in /health and /v1/models/NAME (default: the directory's)")
    parser.add_argument(
        "--stop-on-stdin-eof",
        action="store_true",
        help="stop (as on SIGTERM) when stdin closes: a bridge that dies, even by kill -9, takes its workers with it",
    )
    parser.add_argument(
        "--die-with-parent",
        action="store_true",
        help="Linux: be killed when the process that started this one ends, even mid-prediction or stopped",
    )
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} isn't a port number")
    if args.max_body_bytes < 1:
        parser.error("--max-body-bytes must be at least 1")
    return args


def main(argv: list) -> int:
    parent = os.getppid()
    args = parse_args(argv)
    if args.die_with_parent and not die_with_parent(parent):
        print("[emkit] the process that started this worker is gone", file=sys.stderr, flush=True)
        return 1
    model_dir = os.path.abspath(args.model_dir)
    name = args.name or os.path.basename(model_dir) or "model"
    ready_out = sys.stdout
    sys.stdout = sys.stderr  # the model code's prints: stdout is the bridge's, for the READY line alone
    try:
        model = loaders.load(args.framework, model_dir)
    except loaders.LoadError as error:
        print(f"[emkit] cannot serve {model_dir} ({args.framework}): {error}", file=sys.stderr, flush=True)
        return 1
    import gc

    # The model's objects are there to stay: keeping them out of the collector's full
    # passes spares every later request those pauses (they'd show in the p99).
    gc.collect()
    gc.freeze()
    app = App(model.predict, args.framework, name, model)
    return asyncio.run(serve(app, args, ready_out, model.source))


def die_with_parent(parent: int) -> bool:
    """Ask Linux for SIGKILL when our parent ends. Stdin's end of file tells an idle worker
    its bridge is gone; this also ends one busy in a prediction, hung, or stopped (SIGSTOP),
    which would otherwise outlive the bridge. False if the parent is already gone."""
    if sys.platform != "linux":
        return True
    import ctypes

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0) != 0:
        print(f"[emkit] prctl(PR_SET_PDEATHSIG) failed: errno {ctypes.get_errno()}", file=sys.stderr, flush=True)
        return True  # stdin's end of file still stops an idle worker
    return os.getppid() == parent  # it died before the request: nobody will send the signal


def watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """The bridge holds our stdin open and never writes to it: end of file means it is gone."""
    fd = sys.stdin.fileno()
    os.set_blocking(fd, False)

    def readable() -> None:
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(fd)
            stop.set()

    loop.add_reader(fd, readable)


async def listen(server: Server, args: argparse.Namespace):
    """The listener, what the READY line and the log say of it, and what to tidy after it."""
    loop = asyncio.get_running_loop()
    if args.socket:
        # a stale socket file of a worker that was killed is replaced (asyncio removes it)
        listener = await loop.create_unix_server(server.connection, args.socket, backlog=1024)
        os.chmod(args.socket, 0o600)  # the directory already keeps others out; this says so twice
        inode = os.stat(args.socket).st_ino
        return listener, {"socket": args.socket}, args.socket, lambda: remove_socket(args.socket, inode)
    listener = await loop.create_server(server.connection, args.host, args.port, backlog=1024)
    port = listener.sockets[0].getsockname()[1]
    return listener, {"port": port}, f"{args.host}:{port}", lambda: None


def remove_socket(path: str, inode: int) -> None:
    """Remove our socket file, unless it is already a successor's: a worker of a bridge
    that died drains while the next bridge's worker binds the same path."""
    try:
        if os.stat(path).st_ino == inode:
            os.unlink(path)
    except OSError:
        pass  # already removed: nothing to tidy


async def serve(app: App, args: argparse.Namespace, ready_out, source: str) -> int:
    loop = asyncio.get_running_loop()
    server = Server(app.handle, args.max_body_bytes)
    try:
        listener, address, where, tidy = await listen(server, args)
    except OSError as error:
        target = args.socket or f"{args.host}:{args.port}"
        print(f"[emkit] cannot listen on {target}: {error}", file=sys.stderr, flush=True)
        return 1
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop.set)
        except NotImplementedError:  # Windows
            signal.signal(signum, lambda *_: loop.call_soon_threadsafe(stop.set))
    if args.stop_on_stdin_eof:
        watch_stdin(loop, stop)
    try:
        ready_out.write(f"{READY} {json.dumps({**address, 'pid': os.getpid()})}\n")
        ready_out.flush()
    except OSError as error:  # nobody to tell: whoever started us is gone
        print(f"[emkit] cannot say READY on stdout: {error}", file=sys.stderr, flush=True)
        return 1
    print(f"[emkit] serving {source} ({args.framework}) as {app.name!r} on {where}", file=sys.stderr, flush=True)

    await stop.wait()
    listener.close()  # accept no more; what is queued to be accepted is refused
    await server.drain(DRAIN_GRACE)
    tidy()
    print(f"[emkit] stopped after {app.requests} prediction requests", file=sys.stderr, flush=True)
    return 0
