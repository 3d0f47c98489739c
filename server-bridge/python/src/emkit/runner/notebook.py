"""``python -m emkit.runner.notebook NB --output OUT --error-file F -- <hyperparameter args>``

Runs one notebook rank: the code cells execute in this very process under IPython
(magics, ``display()``, top-level ``await``), as papermill would run them in a kernel, but
without a kernel, ZeroMQ or a second process, so it starts in a fraction of the time.

- Hyperparameters (``EM_HPS``) are injected papermill-style: a cell tagged
  ``injected-parameters`` right after the cell tagged ``parameters`` (else at the top),
  values typed as papermill types them. ``sys.argv`` gets the ``--key value`` arguments.
- Output goes live to the real stdout/stderr (the training's log) and is recorded as
  nbformat outputs; the executed notebook is written to OUT after every cell.
- The first failing cell ends the run: its traceback goes to the log, its reason to the
  error file (read by the supervisor), and the exit status is 1. Status 2: the notebook
  couldn't be run at all (unreadable, or no IPython).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time

from .status import utc_now

EXIT_CELL_FAILED = 1
EXIT_UNUSABLE = 2
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
NO_IPYTHON = "notebook trainings need IPython in the training's environment: install ipykernel (or ipython) into it"


# --- parameters -----------------------------------------------------------------------------


def hyperparameters() -> dict[str, str]:
    """The training's hyperparameters, from ``EM_HPS`` (a JSON object of strings)."""
    try:
        value = json.loads(os.environ.get("EM_HPS") or "{}")
    except ValueError:
        value = None
    if not isinstance(value, dict):
        print("[emkit] EM_HPS is not a JSON object; no parameters injected", file=sys.stderr)
        return {}
    # the bridge sends strings; anything else is taken as its JSON text, and typed like one
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()}


def typed(value: str):
    """papermill's inference: a number, a bool or None where the text is one, else the text."""
    if value in ("True", "true"):
        return True
    if value in ("False", "false"):
        return False
    if value == "None":
        return None
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def _json_value(text: str):
    """The typed value, for the notebook's metadata (where NaN and infinity can't go)."""
    value = typed(text)
    return text if isinstance(value, float) and not math.isfinite(value) else value


def _literal(value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"  # repr would give the bare name nan / inf
    return repr(value)


def parameters_source(parameters: dict[str, str]) -> str:
    import keyword

    lines = ["# Parameters"]
    for key, value in parameters.items():
        name = key.replace("-", "_")  # as EM_HP_<KEY> does
        if name.isidentifier() and not keyword.iskeyword(name):
            lines.append(f"{name} = {_literal(typed(value))}")
        else:
            lines.append(f"# {key!r} is not a Python name: read it from sys.argv or EM_HPS")
    return "\n".join(lines) + "\n"


def _tags(cell: dict) -> list:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return tags if isinstance(tags, list) else []


def plan_cells(notebook: dict, parameters: dict[str, str]) -> list[tuple[int | None, dict]]:
    """The cells to keep, each with its 1-based number in the original notebook (None for
    the injected one). Old outputs are cleared, and a previous run's injected cell dropped."""
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise ValueError("it has no list of cells")
    plan: list[tuple[int | None, dict]] = []
    for number, cell in enumerate(cells, 1):
        if "injected-parameters" in _tags(cell):
            continue
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        plan.append((number, cell))
    if parameters:
        injected = {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {"tags": ["injected-parameters"]},
            "outputs": [],
            "source": parameters_source(parameters),
        }
        if notebook.get("nbformat", 4) > 4 or notebook.get("nbformat_minor", 0) >= 5:
            injected = {"id": os.urandom(4).hex(), **injected}  # nbformat 4.5 wants cell ids
        at = next((i + 1 for i, (_, cell) in enumerate(plan) if "parameters" in _tags(cell)), 0)
        plan.insert(at, (None, injected))
    notebook["cells"] = [cell for _, cell in plan]
    return plan


# --- recording outputs ----------------------------------------------------------------------


class Recorder:
    """Collects the current cell's outputs in nbformat v4 form, and echoes them to the log."""

    def __init__(self, out, err):
        import threading

        self.out, self.err = out, err  # the real stdout and stderr: the training's log
        self.lock = threading.Lock()  # output may come from the user's threads
        self.outputs: list[dict] = []
        self.count: int | None = None
        self.label = ""
        self.errors: list[dict] = []  # this cell's error outputs: any fails the cell
        self._clear_on_next = False
        self._by_display_id: dict[str, list[dict]] = {}

    def start_cell(self, cell: dict, count: int, label: str) -> None:
        with self.lock:
            self.outputs, self.count, self.label, self.errors = cell["outputs"], count, label, []
            self._clear_on_next = False

    def _add(self, output: dict) -> None:
        if self._clear_on_next:
            self.outputs.clear()
            self._clear_on_next = False
        self.outputs.append(output)

    def stream(self, name: str, text: str) -> None:
        with self.lock:
            last = self.outputs[-1] if self.outputs and not self._clear_on_next else None
            if last is not None and last["output_type"] == "stream" and last["name"] == name:
                last["text"].append(text)  # joined when the notebook is written
            else:
                self._add({"output_type": "stream", "name": name, "text": [text]})

    def display(self, data: dict, metadata: dict | None, transient: dict | None, update: bool) -> None:
        bundle, metadata = _bundle(data), metadata or {}
        display_id: str = (transient or {}).get("display_id") or ""  # "": none
        with self.lock:
            if update:
                for output in self._by_display_id.get(display_id, []):
                    output["data"], output["metadata"] = bundle, metadata
                return
            output = {"output_type": "display_data", "data": bundle, "metadata": metadata}
            self._add(output)
            if display_id:
                self._by_display_id.setdefault(display_id, []).append(output)
        self._echo(bundle)

    def result(self, data: dict, metadata: dict | None) -> None:
        bundle = _bundle(data)
        with self.lock:
            self._add(
                {
                    "output_type": "execute_result",
                    "execution_count": self.count,
                    "data": bundle,
                    "metadata": metadata or {},
                }
            )
        self._echo(bundle)

    def error(self, ename: str, evalue: str, traceback: list[str], in_log: bool = False) -> None:
        """A traceback shown in the cell. ``in_log``: IPython already printed it."""
        output = {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": traceback}
        with self.lock:
            self._add(output)
            self.errors.append(output)
        self.err.write(f"[emkit] {self.label} failed: {_summary(ename, evalue)}\n")
        if not in_log:
            self.err.write("\n".join(traceback) + "\n")
        self.err.flush()

    def clear(self, wait: bool) -> None:
        with self.lock:
            if wait:
                self._clear_on_next = True  # as Jupyter does: when the next output comes
            else:
                self.outputs.clear()

    def _echo(self, bundle: dict) -> None:
        text = bundle.get("text/plain")
        if isinstance(text, str):
            self.out.write(text + "\n")


def _bundle(data: dict) -> dict:
    """A MIME bundle as nbformat stores it: binary data (PNG, JPEG) in base64."""
    bundle = {}
    for mime, value in data.items():
        if isinstance(value, (bytes, bytearray)):
            if mime.startswith("text/"):
                value = bytes(value).decode("utf-8", "replace")
            else:
                import base64

                value = base64.b64encode(value).decode("ascii")
        bundle[mime] = value
    return bundle


class Tee:
    """``sys.stdout`` / ``sys.stderr`` while cells run: live to the log, and recorded."""

    def __init__(self, real, name: str, recorder: Recorder):
        self._real, self._name, self._recorder = real, name, recorder

    def write(self, text: str) -> int:
        self._real.write(text)
        if text:
            self._recorder.stream(self._name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._real.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str):
        return getattr(self._real, name)  # encoding, fileno, buffer, ...


# --- the shell ------------------------------------------------------------------------------


def make_shell(recorder: Recorder):
    """An IPython shell whose displays, results and tracebacks go to ``recorder``."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Hook(DisplayHook):
        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            recorder.result(format_dict, md_dict)

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            recorder.display(data, metadata, transient, update)

        def clear_output(self, wait=False):
            recorder.clear(wait)

    class Shell(InteractiveShell):
        displayhook_class = Hook
        display_pub_class = Publisher

        def init_virtualenv(self):
            # IPython would add $VIRTUAL_ENV's packages to sys.path when it isn't the running
            # interpreter's: the training runs in its own environment, whatever the bridge's is.
            pass

        def enable_gui(self, gui=None):
            pass  # `%matplotlib inline` asks for no event loop; there is no GUI to drive here

        def _showtraceback(self, etype, evalue, stb):
            recorder.error(etype.__name__, _text(evalue), stb)

    config = Config()
    config.HistoryManager.enabled = False  # no history database, no writer thread
    config.InteractiveShell.colors = "nocolor"  # tracebacks end up in a log file
    # the %emkit magics, as in an emkit environment's kernel, where the notebook was written
    shell = Shell.instance(config=config)
    extensions = shell.extension_manager
    assert extensions is not None  # InteractiveShell made it
    extensions.load_extension("emkit")
    return shell


def _text(value) -> str:
    try:
        return str(value)
    except Exception:  # a broken __str__ must not hide the failure itself
        return f"<unprintable {type(value).__name__}>"


# --- the run --------------------------------------------------------------------------------


def write_json(path: str, document) -> None:
    """Replace ``path`` atomically, so a watcher never reads half a notebook."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump(document, file, indent=1, ensure_ascii=False, default=_text)
        file.write("\n")
    os.replace(temporary, path)


def _join_streams(cells: list[dict]) -> None:
    """Stream text is kept as chunks while it arrives; nbformat wants lines."""
    for cell in cells:
        for output in cell.get("outputs") or ():
            if output.get("output_type") == "stream" and isinstance(output.get("text"), list):
                output["text"][:] = "".join(output["text"]).splitlines(keepends=True)


def _summary(ename: str, evalue: str, limit: int = 300) -> str:
    """``ValueError: bad value``, on one line of reasonable length."""
    line = evalue.strip().split("\n", 1)[0]
    line = line if len(line) <= limit else line[: limit - 1] + "…"
    return f"{ename}: {line}" if line else ename


class Run:
    def __init__(self, path: str, output: str, error_file: str, argv: list[str]):
        self.path, self.output, self.error_file, self.argv = path, output, error_file, argv

    def give_up(self, message: str) -> int:
        """The notebook can't run at all: say why, for the log and for the supervisor."""
        print(f"[emkit] {message}", file=sys.stderr, flush=True)
        write_json(self.error_file, {"cell": None, "ename": None, "evalue": None, "reason": message})
        return EXIT_UNUSABLE

    def main(self) -> int:
        try:
            with open(self.path, encoding="utf-8") as file:
                notebook = json.load(file)
            if not isinstance(notebook, dict):
                raise ValueError("it is not a JSON object")
            parameters = hyperparameters()
            plan = plan_cells(notebook, parameters)
        except (OSError, ValueError) as error:
            return self.give_up(f"cannot read the notebook {self.path}: {error}")

        # Figures become image/png outputs, without importing matplotlib before the notebook does:
        # the inline backend hooks itself into the shell when matplotlib loads it.
        import importlib.util

        if "MPLBACKEND" not in os.environ and importlib.util.find_spec("matplotlib_inline") is not None:
            os.environ["MPLBACKEND"] = INLINE_BACKEND

        log_out, log_err = sys.stdout, sys.stderr
        recorder = Recorder(log_out, log_err)
        try:
            shell = make_shell(recorder)
        except ImportError as error:
            return self.give_up(f"{NO_IPYTHON} ({error})")
        sys.argv = [self.path, *self.argv]
        sys.stdout, sys.stderr = Tee(log_out, "stdout", recorder), Tee(log_err, "stderr", recorder)

        status = {
            "parameters": {k: _json_value(v) for k, v in parameters.items()},
            "status": "running",
            "start": utc_now(),
            "end": None,
        }
        notebook.setdefault("metadata", {})["emkit"] = status
        self.save(notebook)

        failure = None
        for number, cell in plan:
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source") or ""
            source = source if isinstance(source, str) else "".join(source)
            if not source.strip():
                continue  # as nbclient does: an empty cell isn't executed
            failure = self.run_cell(shell, recorder, number, cell, source)
            self.save(notebook)
            if failure or getattr(shell, "exit_now", False):
                break

        status.update(status="failed" if failure else "completed", end=utc_now())
        self.save(notebook)
        log_out.flush()
        if failure:
            write_json(self.error_file, failure)
            return EXIT_CELL_FAILED
        return 0

    def run_cell(self, shell, recorder: Recorder, number: int | None, cell: dict, source: str) -> dict | None:
        """Run one cell; the error file's content if it failed.

        A cell fails when it raises, and also when it only shows a traceback: some magics
        (``%run``, or ``%time`` before IPython 9) report the user's exception without raising
        it, and a training whose code raised has failed.
        """
        count = shell.execution_count
        label = f"cell {number}" if number is not None else "the injected-parameters cell"
        recorder.start_cell(cell, count, label)
        started, start = time.monotonic(), utc_now()
        result = shell.run_cell(source, store_history=True)
        cell["execution_count"] = count
        metadata = cell.setdefault("metadata", {})
        metadata["emkit"] = {"start": start, "end": utc_now(), "duration": round(time.monotonic() - started, 3)}

        error = result.error_before_exec or result.error_in_exec
        if error is not None and not recorder.errors:  # e.g. a UsageError, which IPython only prints
            ename, evalue = type(error).__name__, _text(error)
            recorder.error(ename, evalue, [f"{ename}: {evalue}"], in_log=True)
        if not recorder.errors:
            return None
        first = recorder.errors[0]
        reason = f"{label} raised {_summary(first['ename'], first['evalue'])}"
        return {"cell": number, "ename": first["ename"], "evalue": first["evalue"], "reason": reason}

    def save(self, notebook: dict) -> None:
        _join_streams(notebook["cells"])
        write_json(self.output, notebook)


def main(argv: list[str] | None = None) -> int:
    import argparse

    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(prog="python -m emkit.runner.notebook", description="Run a notebook rank.")
    parser.add_argument("notebook")
    parser.add_argument("--output", required=True, help="where the executed notebook goes")
    parser.add_argument("--error-file", required=True, help="where a failure's reason goes (JSON)")
    args = parser.parse_args(argv)
    return Run(args.notebook, args.output, args.error_file, extra).main()


if __name__ == "__main__":
    # Run as the importable module rather than as __main__: IPython makes the notebook's
    # namespace sys.modules["__main__"] (so objects defined in it pickle), taking this one's place.
    from emkit.runner.notebook import main as _main

    sys.exit(_main())
