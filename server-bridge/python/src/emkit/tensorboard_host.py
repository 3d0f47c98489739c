"""Serve the real TensorBoard on a Unix socket that only the bridge can open.

``python -m emkit.tensorboard_host SOCKET [tensorboard flags...]``

TensorBoard's own server listens on TCP, where every local user (and a DNS-rebinding web
page) can read it, and its fast data server is a second TCP listener. Here its WSGI app is
served on ``SOCKET`` instead — a path in the bridge's private (0700) folder, the socket
itself 0600 — with the Python data loader, so nothing listens on TCP at all. The bridge's
proxy, which checks the token, is the one way in.

It ends when the bridge does, however the bridge ends (``kill -9`` too): the bridge holds
the write end of our stdin, so EOF there means the bridge is gone.
"""

import logging
import os
import signal
import sys
import threading


def _exit_with_parent() -> None:
    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except OSError:
            pass
        os._exit(0)

    threading.Thread(target=watch, name="bridge-watch", daemon=True).start()
    try:
        # Linux: the kernel's word too, in case stdin was not the bridge's pipe
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def main(argv: list) -> int:
    if not argv:
        sys.stderr.write("usage: python -m emkit.tensorboard_host SOCKET [tensorboard flags...]\n")
        return 2
    socket_path, flags = argv[0], argv[1:]
    _exit_with_parent()

    from tensorboard import program
    from werkzeug import serving

    class UnixSocketServer(program.TensorBoardServer):
        def __init__(self, wsgi_app, tb_flags):
            if os.path.exists(socket_path):
                os.unlink(socket_path)
            # created 0600 from the start: no moment where another user could connect
            previous = os.umask(0o177)
            try:
                self._server = serving.make_server(f"unix://{socket_path}", 0, wsgi_app, threaded=True)
            finally:
                os.umask(previous)
            self._url = f"unix://{socket_path}{tb_flags.path_prefix or ''}/"

        def serve_forever(self):
            self._server.serve_forever()

        def get_url(self):
            return self._url

    class SocketTensorBoard(program.TensorBoard):
        def _register_info(self, server):
            # TensorBoard's info file (for `tensorboard --list` / notebooks) wants a TCP port;
            # this one has none, and nothing else should find it
            pass

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    board = SocketTensorBoard(server_class=UnixSocketServer)
    board.configure(argv=["tensorboard", "--load_fast=false", *flags])
    return board.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
