"""Metrics from a training, as TensorBoard event files, with nothing to install.

``log_metric("loss", 0.25)`` writes to ``$EM_TENSORBOARD_LOG_DIR`` (where the bridge
reads a training's metrics; ``./runs`` outside a training). ``SummaryWriter`` is a
drop-in for ``torch.utils.tensorboard.SummaryWriter``'s scalar methods. Both write the
files TensorBoard reads, without importing TensorFlow, TensorBoard or protobuf, and make
what they log visible within about a second (and at exit).
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref

from . import _tfevents

__all__ = ["SummaryWriter", "flush", "log_metric", "log_metrics"]


class EventFile:
    """One event file. Records wait in memory until ``max_queue`` of them are waiting,
    ``flush_secs`` after the first of them, ``flush()``, ``close()`` or the end of the process."""

    def __init__(
        self,
        log_dir: str,
        filename_suffix: str = "",
        max_queue: int = 10,
        flush_secs: float = 1.0,
        purge_step: int | None = None,
    ):
        os.makedirs(log_dir, exist_ok=True)
        self.path = os.path.join(log_dir, _tfevents.file_name(filename_suffix))
        self.max_queue, self.flush_secs = max(1, int(max_queue)), flush_secs
        self._lock = threading.Lock()  # training code logs from more than one thread
        self._queue: list[bytes] = []
        self._timer: threading.Timer | None = None
        self._file = open(self.path, "ab")  # noqa: SIM115 (the writer's own until its close())
        now = time.time()
        head = _tfevents.record(_tfevents.event(now, step=purge_step, file_version=True))
        if purge_step is not None:
            # TensorBoard drops what an earlier run logged at this step or later
            head += _tfevents.record(_tfevents.event(now, step=purge_step, session_start=True))
        self._file.write(head)
        self._file.flush()
        _open_files.add(self)

    @property
    def closed(self) -> bool:
        return self._file.closed

    def add(self, event: bytes) -> None:
        data = _tfevents.record(event)
        with self._lock:
            if self._file.closed:
                raise ValueError(f"{self.path} is closed")
            self._queue.append(data)
            if len(self._queue) >= self.max_queue:
                self._write()
            elif self._timer is None:
                self._timer = threading.Timer(self.flush_secs, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._write()

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._write()
                self._file.close()
        _open_files.discard(self)

    def _write(self) -> None:
        if self._queue:
            self._file.write(b"".join(self._queue))
            self._queue.clear()
        self._file.flush()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


_open_files: weakref.WeakSet[EventFile] = weakref.WeakSet()


@atexit.register
def _flush_all() -> None:
    for file in list(_open_files):
        file.flush()


def _scalar(value) -> float:
    """A float from a Python number, a numpy scalar or a one-element tensor."""
    return float(value.item() if callable(getattr(value, "item", None)) else value)


def _step(step) -> int | None:
    return None if step is None else int(_scalar(step))


class SummaryWriter:
    """torch.utils.tensorboard's SummaryWriter, for scalars.

    ``log_dir`` defaults to ``$EM_TENSORBOARD_LOG_DIR`` in a training, else to torch's
    ``runs/<date>_<host><comment>``.
    """

    def __init__(
        self,
        log_dir: str | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: float = 1,
        filename_suffix: str = "",
    ):
        if not log_dir:
            log_dir = os.environ.get("EM_TENSORBOARD_LOG_DIR")
        if not log_dir:
            import socket

            log_dir = os.path.join("runs", time.strftime("%b%d_%H-%M-%S") + "_" + socket.gethostname() + comment)
        self.log_dir = str(log_dir)
        self.purge_step, self.max_queue, self.flush_secs = purge_step, max_queue, flush_secs
        self.filename_suffix = filename_suffix
        self._file: EventFile | None = None
        self._scalars_files: dict[str, EventFile] = {}  # add_scalars' files, one per run folder
        self._get_file()

    def _get_file(self) -> EventFile:
        if self._file is None or self._file.closed:  # torch reopens after close() too
            self._file = EventFile(self.log_dir, self.filename_suffix, self.max_queue, self.flush_secs, self.purge_step)
        return self._file

    def get_logdir(self) -> str:
        return self.log_dir

    def add_scalar(
        self,
        tag: str,
        scalar_value,
        global_step=None,
        walltime: float | None = None,
        new_style: bool = False,
        double_precision: bool = False,
    ) -> None:
        value = _scalar(scalar_value)
        if new_style:
            encoded = _tfevents.tensor_value(tag, value, double_precision)
        else:
            encoded = _tfevents.simple_value(tag, value)
        wall_time = time.time() if walltime is None else walltime
        self._get_file().add(_tfevents.event(wall_time, _step(global_step), _tfevents.summary(encoded)))

    def add_scalars(
        self, main_tag: str, tag_scalar_dict: dict, global_step=None, walltime: float | None = None
    ) -> None:
        """Each value goes to its own run, ``<log_dir>/<main_tag>_<key>``, under the tag ``main_tag``
        (so TensorBoard draws them in one chart), as torch does."""
        wall_time = time.time() if walltime is None else walltime
        step = _step(global_step)
        for key, scalar_value in tag_scalar_dict.items():
            run_dir = os.path.join(self.log_dir, main_tag.replace("/", "_") + "_" + key)
            file = self._scalars_files.get(run_dir)
            if file is None or file.closed:
                file = self._scalars_files[run_dir] = EventFile(
                    run_dir, self.filename_suffix, self.max_queue, self.flush_secs
                )
            encoded = _tfevents.simple_value(main_tag, _scalar(scalar_value))
            file.add(_tfevents.event(wall_time, step, _tfevents.summary(encoded)))

    def flush(self) -> None:
        for file in self._files():
            file.flush()

    def close(self) -> None:
        for file in self._files():
            file.close()

    def _files(self) -> list[EventFile]:
        return ([self._file] if self._file else []) + list(self._scalars_files.values())

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- log_metric: one default writer per process ---------------------------------------------

_default: EventFile | None = None
_steps: dict[str, int] = {}  # the last step of each metric, for the next one's default
_default_lock = threading.Lock()


def _default_file() -> EventFile:
    global _default
    with _default_lock:
        if _default is None:  # on first use: importing emkit.tracking creates no file
            _default = EventFile(os.environ.get("EM_TENSORBOARD_LOG_DIR") or "runs")
        return _default


def log_metric(name: str, value, step: int | None = None) -> None:
    """Log one scalar. Without ``step``, it is one more than this metric's last (from 0)."""
    file = _default_file()
    with _default_lock:
        step = _steps.get(name, -1) + 1 if step is None else int(_scalar(step))
        _steps[name] = step
    file.add(_tfevents.event(time.time(), step, _tfevents.summary(_tfevents.simple_value(name, _scalar(value)))))


def log_metrics(metrics: dict, step: int | None = None) -> None:
    for name, value in metrics.items():
        log_metric(name, value, step)


def flush() -> None:
    """Write out what ``log_metric`` holds now (it does so by itself within a second, and at exit)."""
    if _default is not None:
        _default.flush()
