"""``python -m emkit.batch spec.json``: one batch scoring job, from spec.json to the predictions file.

A fresh job starts with no manifest; a resumed one (the bridge started it again after the
runner was gone) goes on from the manifest's last batch. SIGTERM stops the job between two
batches (never in the middle of writing one): what was scored is recorded and kept, STOPPED.
A bad item is an errors.jsonl line; more than ``maxErrorRatio`` of the items read being bad,
or anything that stops the job from scoring at all (the model can't load, the input can't be
read), ends it FAILED with a one-line reason and no predictions file (its errors stay).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import time
import traceback

from ..evaluation.datasets import DatasetError
from ..serving.loaders import LoadError, first_line
from . import environment
from .inputs import open_input
from .manifest import Entry, Manifest, last_entry, recorded_end
from .outputs import Output, name_output
from .pool import Workers
from .ray_pool import ClusterError, RayWorkers
from .scoring import JobError
from .spec import Spec, SpecError, read_spec, read_status_file
from .status import COMPLETE, FAILED, STOPPED, Status
from .writer import Writer


class Stopped(BaseException):
    """SIGTERM arrived; a BaseException so that a model's ``except Exception`` can't swallow it."""


class TooManyErrors(Exception):
    pass


class StopSignal:
    """SIGTERM raises Stopped, except while a batch is written: then it waits for the batch's end."""

    def __init__(self):
        self.asked = False
        self.held = False
        signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum, frame):
        if self.asked:
            return
        self.asked = True
        if not self.held:
            raise Stopped()

    @contextlib.contextmanager
    def hold(self):
        self.held = True
        try:
            yield
        finally:
            self.held = False
        if self.asked:
            raise Stopped()


def main(spec_path: str) -> int:
    status_file = read_status_file(spec_path)
    if status_file is None:
        print(f"[emkit] cannot read statusFile from the spec {spec_path}", file=sys.stderr)
        return 2
    ended = _ended_already(status_file)
    if ended is not None:  # started again after its end (the bridge doesn't): its outcome and output stay
        print(f"[emkit] this job has already ended ({ended}): nothing to do", file=sys.stderr, flush=True)
        return 0
    status = Status(status_file)
    stop = StopSignal()
    status.write()
    try:
        spec = read_spec(spec_path)
    except SpecError as error:
        print(f"[emkit] {error}", file=sys.stderr, flush=True)
        status.write(FAILED, first_line(error))
        return 1
    end = recorded_end(spec.manifest_file)
    if end is not None:  # it ended before a crash, maybe before its output took its name: that is done now
        return _end_again(spec, status, end)
    state, reason = Job(spec, status, stop).run()
    status.write(state, reason)
    return 0 if state != FAILED else 1


def _end_again(spec: Spec, status: Status, end) -> int:
    stop_signal = signal.signal(signal.SIGTERM, signal.SIG_IGN)  # short, and not to be cut in the middle
    try:
        name_output(spec.output_format, spec.partial_file, spec.output_file)
    finally:
        signal.signal(signal.SIGTERM, stop_signal)
    last = last_entry(spec.manifest_file)
    if last is not None:
        status.progress(last.done, last.errors)
        status.total = last.done if end.state == COMPLETE else None
    print(f"[emkit] this job had ended ({end.state}) when it stopped: its output has its name", flush=True)
    status.write(end.state, end.reason)
    return 0


def _ended_already(status_file: str):
    """The final state status.json holds, if it holds one."""
    import json

    try:
        with open(status_file, encoding="utf-8") as file:
            state = json.load(file).get("state")
    except (OSError, ValueError, AttributeError):
        return None
    return state if state in (COMPLETE, FAILED, STOPPED) else None


class Job:
    def __init__(self, spec: Spec, status: Status, stop: StopSignal):
        self.spec = spec
        self.status = status
        self.stop = stop
        self.output = None
        self.manifest = None
        self.workers = None
        self.writer = None
        self.done = 0
        self.errors = 0
        self.loop_started = time.perf_counter()

    def run(self):
        """(state, reason) of how the job ended."""
        try:
            self._score()
            self.stop.held = True  # the output is given its name whole, or not at all
            if self.output is not None:
                self.output.finish()
            seconds = time.perf_counter() - self.loop_started
            print(
                f"[emkit] scored {self.status.done - self.status.errors} items, {self.status.errors} bad, "
                f"in {seconds:.3f} s from the first batch read to the last written",
                flush=True,
            )
            return COMPLETE, None
        except BaseException as error:
            self.stop.held = True
            return self._ended(error)
        finally:
            if self.workers is not None:
                self.workers.close()
            if self.manifest is not None:
                self.manifest.close()

    def _score(self) -> None:
        spec, status = self.spec, self.status
        absent = environment.missing(spec.input_format, spec.output_format)
        if absent:
            raise SpecError(environment.missing_message(absent), "environment")
        source = open_input(spec.input_path, spec.input_format)
        last = last_entry(spec.manifest_file)
        if last is not None:
            print(f"[emkit] resuming after batch {last.batch} ({last.done} items done)", flush=True)
            status.progress(last.done, last.errors)
        status.total = source.count()
        status.write()
        # the model loads here (or in each worker, at its first batch)
        self.workers = (
            RayWorkers(spec, on_usage=status.set_cluster_workers)
            if spec.cluster
            else Workers(spec, on_workers=status.set_workers)
        )
        self.output = Output(spec, last.position if last else None)
        self.manifest = Manifest(spec.manifest_file, self.output, fresh=last is None)
        self.done, self.errors = (last.done, last.errors) if last else (0, 0)
        skip = last.batch + 1 if last else 0
        self.writer = Writer(self._write)
        self.loop_started = time.perf_counter()
        for items, scored in self.workers.scored(source.batches(spec.batch_size, skip)):
            with self.stop.hold():  # a batch scored is handed over whole
                self.writer.put(items, scored)
        with self.stop.hold():
            writer, self.writer = self.writer, None
            writer.close()
        self.stop.held = True  # from here the job ends COMPLETE: a stop asked now is too late
        self.manifest.end(COMPLETE, None)

    def _write(self, items, scored) -> None:
        """On the writer's thread: one batch appended, recorded, counted."""
        spec, output, manifest = self.spec, self.output, self.manifest
        assert output is not None and manifest is not None  # made before the writer starts
        self.errors += output.write(items, scored)
        self.done += items.size
        manifest.add(Entry(items.index, self.done, self.errors, output.position))
        self.status.progress(self.done, self.errors)
        if self.errors > spec.max_error_ratio * self.done:
            raise TooManyErrors(
                f"{self.errors} of the {self.done} items read are bad, more than maxErrorRatio {spec.max_error_ratio} "
                f"(see {spec.errors_file})"
            )

    def _drain(self, keep: bool) -> None:
        """The writer ends: what it was handed is written (a stop keeps it), or dropped (a failure)."""
        writer, self.writer = self.writer, None
        if writer is None:
            return
        if not keep and writer.error is None:
            writer.error = RuntimeError("dropped")
        with contextlib.suppress(BaseException):
            writer.close()

    def _ended(self, error: BaseException):
        if isinstance(error, (Stopped, KeyboardInterrupt)):
            if self.workers is not None:
                self.workers.close()
            self._drain(keep=True)
            reason = f"stopped after {self.status.done} of {self.status.total or '?'} items"
            kept = self._keep(reason)
            print(f"[emkit] stopped{'' if kept else ' before anything was scored'}", file=sys.stderr, flush=True)
            return STOPPED, reason
        if isinstance(error, (SpecError, DatasetError, LoadError, JobError, TooManyErrors, ClusterError)):
            print(f"[emkit] {error}", file=sys.stderr, flush=True)
            reason = first_line(error)
        else:
            traceback.print_exc(file=sys.stderr)
            reason = first_line(ValueError(f"{type(error).__name__}: {first_line(error)}"))
        self._drain(keep=False)
        if self.manifest is not None:
            self.manifest.commit()  # the errors found are kept, and recorded
        if self.output is not None:
            self.output.discard()
        return FAILED, reason

    def _keep(self, reason: str) -> bool:
        """A stopped job keeps, under the output's name, every batch written in order."""
        if self.output is None or self.manifest is None:
            return False
        self.manifest.end(STOPPED, reason)
        self.output.finish()
        return True
