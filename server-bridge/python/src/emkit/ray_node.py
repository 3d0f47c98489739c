"""Run one node of a local Ray cluster for the bridge, and end it with the bridge.

``python -m emkit.ray_node RAY start --block [ray start flags...]``

``ray start --block`` stops its node's processes when it gets SIGTERM (Ray's processes share
its fate), but nothing stops it when the bridge that started it is killed. This small
watcher runs it, passes SIGTERM (and SIGINT) on, and ends it when the bridge is gone: the
bridge holds the write end of our stdin, so EOF there means the bridge has ended, ``kill -9``
too. The bridge starts it as the leader of a process group that the node's processes stay
in, so the group's id is the one PID to signal.
"""

import signal
import subprocess
import sys
import threading
from typing import List, Optional

# Ray drains a node for up to 30 s before it stops; past this the group is killed instead
GRACE_SECONDS = 20.0


def main(argv: Optional[List[str]] = None) -> int:
    command = list(sys.argv[1:] if argv is None else argv)
    if not command:
        print("usage: python -m emkit.ray_node RAY start --block [flags...]", file=sys.stderr)
        return 2
    node = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    stopping = threading.Event()

    def stop(*_: object) -> None:
        if not stopping.is_set():
            stopping.set()
            node.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def watch_bridge() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        stop()

    threading.Thread(target=watch_bridge, name="bridge-watch", daemon=True).start()
    while node.poll() is None:
        if stopping.wait(0.5):
            try:
                node.wait(GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                node.kill()
            break
    return node.wait() if node.returncode is None else node.returncode


if __name__ == "__main__":
    sys.exit(main())
