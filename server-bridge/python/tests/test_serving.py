"""The serving worker, run for real: `python -m emkit.serving` as the bridge starts it, spoken
to over HTTP/1.1 keep-alive connections as the gateway speaks to it."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Optional

import pytest

from trainings import python_env, wait_until

READY_TIMEOUT = 60.0  # importing a framework on a busy machine
STOP_TIMEOUT = 10.0
READY_LINE = re.compile(r'^EMKIT_WORKER_READY \{"(port|socket)": ("[^"]+"|\d+), "pid": (\d+)\}\n$')
IRIS_ROW = [5.1, 3.5, 1.4, 0.2]


class UnixConnection(http.client.HTTPConnection):
    """http.client over a Unix domain socket, as the bridge calls its workers."""

    def __init__(self, path: str):
        super().__init__("localhost", timeout=10)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


class Worker:
    def __init__(self, process: subprocess.Popen, port: int, stderr_path: Path):
        self.process = process
        self.port = port
        self.socket_path: str | None = None  # with --socket: where it listens instead of a port
        self.stderr_path = stderr_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def connection(self) -> http.client.HTTPConnection:
        if self.socket_path:
            return UnixConnection(self.socket_path)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the worker didn't stop within {STOP_TIMEOUT:g} s of SIGTERM\n{self.stderr()}")
        finally:
            self.process.stdout.close()


def worker_argv(model_dir: Path, framework: str, *options: str) -> list:
    return [sys.executable, "-m", "emkit.serving", "--model-dir", str(model_dir), "--framework", framework, *options]


@pytest.fixture
def serve(tmp_path: Path):
    """Start a worker and wait for its READY line, the first thing on its stdout; at the
    end, each worker still running must stop on SIGTERM with exit status 0."""
    workers = []

    def start(model_dir: Path, framework: str, *options: str, stdin=subprocess.DEVNULL) -> Worker:
        stderr_path = tmp_path / f"worker-{len(workers)}.stderr"
        with open(stderr_path, "wb") as stderr:
            process = subprocess.Popen(
                worker_argv(model_dir, framework, *options),
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=python_env(),
            )
        worker = Worker(process, 0, stderr_path)
        workers.append(worker)
        import select

        stdout = process.stdout
        assert stdout is not None  # a pipe
        ready, _, _ = select.select([stdout], [], [], READY_TIMEOUT)
        line = stdout.readline().decode() if ready else ""
        match = READY_LINE.match(line)
        if not match:
            process.kill()
            process.wait()
            pytest.fail(f"no READY line on stdout but {line!r}; exit {process.returncode}\n{worker.stderr()}")
        assert int(match.group(3)) == process.pid
        if match.group(1) == "port":
            worker.port = int(match.group(2))
        else:
            worker.socket_path = json.loads(match.group(2))
        return worker

    yield start
    for worker in workers:
        if worker.process.poll() is None:
            code = worker.stop()
            assert code == 0, f"the worker exited {code} on SIGTERM\n{worker.stderr()}"


def call(connection: http.client.HTTPConnection, method: str, path: str, document=None, raw: Optional[bytes] = None):
    """One request; the answer's status, JSON document and headers (lower-case names)."""
    body = raw if raw is not None else (None if document is None else json.dumps(document).encode())
    connection.request(method, path, body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    headers = {name.lower(): value for name, value in response.getheaders()}
    assert headers["content-type"] == "application/json"
    return response.status, json.loads(data), headers


def predict(connection, instances, path: str = "/predict") -> list:
    status, document, _ = call(connection, "POST", path, {"instances": instances})
    assert status == 200, document
    return document["predictions"]


def write_files(directory: Path, files: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text))
    return directory


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    """A LogisticRegression fitted on iris, dumped with joblib into iris/model.joblib."""
    pytest.importorskip("sklearn", reason="scikit-learn isn't installed in this interpreter")
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    model_dir = tmp_path_factory.mktemp("models") / "iris"
    model_dir.mkdir()
    joblib.dump(model, model_dir / "model.joblib")
    return model_dir, model, X


# --- the frameworks -------------------------------------------------------------------------


def test_scikit_learn_predictions_match_the_model_in_process(serve, iris):
    model_dir, model, X = iris
    worker = serve(model_dir, "scikit-learn")
    connection = worker.connection()
    rows = X[::7]
    expected = model.predict(rows).tolist()

    assert predict(connection, rows.tolist()) == expected
    sock = connection.sock
    assert predict(connection, rows.tolist(), "/v1/models/iris:predict") == expected
    assert predict(connection, [IRIS_ROW]) == model.predict([IRIS_ROW]).tolist()
    assert predict(connection, []) == []

    status, health, _ = call(connection, "GET", "/health")
    assert status == 200
    assert health == {"status": "ok", "framework": "scikit-learn", "model": "iris", "pid": worker.pid, "requests": 4}
    assert call(connection, "GET", "/v1/models/iris")[:2] == (200, {"name": "iris", "ready": True})
    status, document, _ = call(connection, "POST", "/v1/models/other:predict", {"instances": [IRIS_ROW]})
    assert status == 404 and document["error"]["code"] == "not_found" and "iris" in document["error"]["message"]
    assert connection.sock is sock, "every answer kept the connection open"


def test_custom_predict_with_load_and_numpy_output(serve, tmp_path):
    model_dir = write_files(
        tmp_path / "linear",
        {
            "predict.py": """
                import os
                import numpy
                from offsets import OFFSET  # a neighbour of predict.py

                print("importing predict.py")  # must not come before the READY line on stdout

                def load():
                    with open(os.path.join(os.path.dirname(__file__), "loads"), "a") as file:
                        file.write("load\\n")
                    return numpy.array([1.0, 2.0, 3.0])

                def predict(weights, instances):
                    return numpy.asarray(instances, dtype=float) @ weights + OFFSET
            """,
            "offsets.py": "OFFSET = 0.5\n",
        },
    )
    worker = serve(model_dir, "custom", "--name", "linear")
    connection = worker.connection()
    import numpy

    rows = [[1, 2, 3], [0.5, -1, 4]]
    expected = (numpy.asarray(rows, dtype=float) @ numpy.array([1.0, 2.0, 3.0]) + 0.5).tolist()
    assert predict(connection, rows) == expected
    assert predict(connection, rows, "/v1/models/linear:predict") == expected
    assert (model_dir / "loads").read_text() == "load\n", "load() ran once"
    assert "importing predict.py" in worker.stderr()

    status, document, _ = call(connection, "POST", "/predict", {"instances": [[1, 2]]})
    assert status == 400 and document["error"]["code"] == "validation"
    assert "matmul" in document["error"]["message"] or "mismatch" in document["error"]["message"]


def test_custom_predict_of_instances_alone_may_return_numpy_scalars(serve, tmp_path):
    model_dir = write_files(
        tmp_path / "scalars",
        {
            "predict.py": """
                import numpy

                def predict(instances):
                    return [
                        {"sum": numpy.float32(sum(row)), "argmax": numpy.int64(numpy.argmax(row))} for row in instances
                    ]
            """
        },
    )
    worker = serve(model_dir, "custom")
    assert predict(worker.connection(), [[1, 5, 2], [7, 0, 0]]) == [
        {"sum": 8.0, "argmax": 1},
        {"sum": 7.0, "argmax": 0},
    ]


def test_onnx_predictions_match_numpy(serve, tmp_path):
    onnx = pytest.importorskip("onnx", reason="onnx isn't installed in this interpreter (pip install onnx)")
    pytest.importorskip(
        "onnxruntime", reason="onnxruntime isn't installed in this interpreter (pip install onnxruntime)"
    )
    import numpy
    from onnx import TensorProto, helper, numpy_helper

    W = (numpy.arange(12, dtype=numpy.float32).reshape(4, 3) - 5) / 10
    B = numpy.array([0.5, -1.0, 2.0], dtype=numpy.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["XW"]), helper.make_node("Add", ["XW", "B"], ["Y"])],
        "linear",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 3])],
        initializer=[numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8  # one every onnxruntime of the last years reads
    onnx.checker.check_model(model)
    model_dir = tmp_path / "linear-onnx"
    model_dir.mkdir()
    onnx.save(model, str(model_dir / "model.onnx"))

    worker = serve(model_dir, "onnx")
    connection = worker.connection()
    rows = [[1, 2, 3, 4], [0.5, -1, 0, 2.25], IRIS_ROW]  # ints too: cast to the input's float32
    expected = (numpy.asarray(rows, dtype=numpy.float32) @ W + B).tolist()
    predictions = predict(connection, rows)
    assert numpy.asarray(predictions).shape == (3, 3)
    assert predictions == [pytest.approx(row, rel=1e-6, abs=1e-6) for row in expected]

    status, document, _ = call(connection, "POST", "/predict", {"instances": [[1, 2, 3]]})
    assert status == 400 and document["error"]["code"] == "validation", document
    assert "dimension" in document["error"]["message"].lower() or "shape" in document["error"]["message"].lower()
    assert predict(connection, rows[:1]) == predictions[:1]


@pytest.mark.filterwarnings("ignore:`torch.jit:DeprecationWarning")  # TorchScript is what the worker loads
def test_pytorch_torchscript_predictions_match_in_process(serve, tmp_path):
    torch = pytest.importorskip("torch", reason="PyTorch isn't installed in this interpreter")
    linear = torch.nn.Linear(4, 2)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[0.1, -0.2, 0.3, -0.4], [1.0, 0.5, -0.5, 0.25]]))
        linear.bias.copy_(torch.tensor([0.5, -1.0]))
    model_dir = tmp_path / "linear-torch"
    model_dir.mkdir()
    torch.jit.save(torch.jit.script(linear), str(model_dir / "model.pt"))

    worker = serve(model_dir, "pytorch")
    connection = worker.connection()
    rows = [IRIS_ROW, [1, 2, 3, 4]]
    with torch.no_grad():
        expected = linear(torch.tensor(rows, dtype=torch.float32)).tolist()
    assert predict(connection, rows) == [pytest.approx(row, rel=1e-6) for row in expected]

    status, document, _ = call(connection, "POST", "/predict", {"instances": [[1, 2, 3]]})
    assert status == 400 and document["error"]["code"] == "validation", document
    assert "shape" in document["error"]["message"], document  # torch's own words, not a traceback's first line
    assert len(predict(connection, rows)) == 2


# --- bad requests ---------------------------------------------------------------------------


# --- scores, for a request that asks with "return_scores": true ------------------------------


def test_scikit_learn_classifier_gives_predict_proba_and_classes_when_asked(serve, iris):
    model_dir, model, X = iris
    connection = serve(model_dir, "scikit-learn").connection()
    rows = X[::11]

    status, document, _ = call(connection, "POST", "/predict", {"instances": rows.tolist(), "return_scores": True})
    assert status == 200, document
    assert document["predictions"] == model.predict(rows).tolist()
    assert document["classes"] == model.classes_.tolist()
    expected = model.predict_proba(rows).tolist()
    assert document["scores"] == [pytest.approx(row, rel=1e-12) for row in expected]

    # unasked (or false), the answer is what it always was
    assert call(connection, "POST", "/predict", {"instances": rows.tolist()})[1] == {
        "predictions": model.predict(rows).tolist()
    }
    status, document, _ = call(connection, "POST", "/predict", {"instances": rows.tolist(), "return_scores": False})
    assert (status, list(document)) == (200, ["predictions"])
    status, document, _ = call(connection, "POST", "/predict", {"instances": [], "return_scores": True})
    assert (status, document) == (200, {"predictions": [], "scores": [], "classes": [0, 1, 2]})
    status, document, _ = call(connection, "POST", "/predict", {"instances": [IRIS_ROW], "return_scores": "yes"})
    assert status == 400 and document["error"]["code"] == "validation"
    assert "return_scores" in document["error"]["message"]


def test_a_regressor_or_margins_only_classifier_asked_for_scores_gets_400_saying_so(serve, tmp_path):
    pytest.importorskip("sklearn", reason="scikit-learn isn't installed in this interpreter")
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LinearRegression, RidgeClassifier

    X, y = load_iris(return_X_y=True)
    for kind, model, words in [
        ("regressor", LinearRegression().fit(X, y), "no predict_proba"),
        ("ridge", RidgeClassifier().fit(X, y), "decision_function"),
    ]:
        model_dir = tmp_path / kind
        model_dir.mkdir()
        joblib.dump(model, model_dir / "model.joblib")
        connection = serve(model_dir, "scikit-learn").connection()
        status, document, _ = call(connection, "POST", "/predict", {"instances": [IRIS_ROW], "return_scores": True})
        assert status == 400 and document["error"]["code"] == "validation", document
        assert "no class scores" in document["error"]["message"] or "no probabilities" in document["error"]["message"]
        assert words in document["error"]["message"]
        assert predict(connection, [IRIS_ROW]) == model.predict([IRIS_ROW]).tolist(), "it goes on serving"


def test_custom_predict_returning_label_and_scores_per_row(serve, tmp_path):
    model_dir = write_files(
        tmp_path / "sign",
        {
            "predict.py": """
                CLASSES = ["negative", "positive"]

                def predict(instances):
                    rows = []
                    for (x,) in instances:
                        p = 0.9 if x > 0 else 0.2
                        rows.append({"label": CLASSES[p > 0.5], "scores": [1 - p, p]})
                    return rows
            """
        },
    )
    connection = serve(model_dir, "custom").connection()
    status, document, _ = call(connection, "POST", "/predict", {"instances": [[3], [-1]], "return_scores": True})
    assert status == 200, document
    assert document["predictions"] == ["positive", "negative"]
    assert document["scores"] == [pytest.approx([0.1, 0.9]), pytest.approx([0.8, 0.2])]
    assert document["classes"] == ["negative", "positive"]
    assert predict(connection, [[3]]) == [{"label": "positive", "scores": [pytest.approx(0.1), pytest.approx(0.9)]}]


def test_custom_predict_scores_gives_the_scores_and_a_bad_instance_gets_400(serve, tmp_path):
    """A predict.py's predict_scores(model, instances) -> (labels, scores), as a built-in
    recipe's model has (emkit.recipes.serving)."""
    model_dir = write_files(
        tmp_path / "sign",
        {
            "predict.py": """
                CLASSES = ["negative", "positive"]

                def load():
                    return 0.5

                def predict(model, instances):
                    return predict_scores(model, instances)[0]

                def predict_scores(model, instances):
                    if not all(isinstance(x, (int, float)) for x in instances):
                        raise ValueError("instances must be numbers")
                    p = [0.9 if x > 0 else 0.2 for x in instances]
                    return [CLASSES[q > model] for q in p], [[1 - q, q] for q in p]
            """
        },
    )
    connection = serve(model_dir, "custom").connection()
    status, document, _ = call(connection, "POST", "/predict", {"instances": [3, -1], "return_scores": True})
    assert status == 200, document
    assert document["predictions"] == ["positive", "negative"]
    assert document["scores"] == [pytest.approx([0.1, 0.9]), pytest.approx([0.8, 0.2])]
    assert document["classes"] == ["negative", "positive"]
    status, document, _ = call(connection, "POST", "/predict", {"instances": ["x"], "return_scores": True})
    assert status == 400 and "instances must be numbers" in document["error"]["message"], document
    assert predict(connection, [3]) == ["positive"]


def test_custom_predict_without_scores_asked_for_them_gets_400(serve, tmp_path):
    model_dir = write_files(
        tmp_path / "double", {"predict.py": "def predict(instances):\n    return [2 * x for x in instances]\n"}
    )
    connection = serve(model_dir, "custom").connection()
    status, document, _ = call(connection, "POST", "/predict", {"instances": [1, 2], "return_scores": True})
    assert status == 400 and document["error"]["code"] == "validation", document
    assert '{"label", "scores"}' in document["error"]["message"]
    assert predict(connection, [1, 2]) == [2, 4]


@pytest.mark.parametrize("zipmap", [False, True], ids=["tensor", "zipmap"])
def test_onnx_with_a_probabilities_output_gives_scores(serve, tmp_path, zipmap):
    """Built by hand as skl2onnx lays a classifier out: (label, probabilities), the
    probabilities a [N, C] tensor or (its default) a ZipMap's list of {class: probability}."""
    onnx = pytest.importorskip("onnx", reason="onnx isn't installed in this interpreter (pip install onnx)")
    pytest.importorskip(
        "onnxruntime", reason="onnxruntime isn't installed in this interpreter (pip install onnxruntime)"
    )
    import numpy
    from onnx import TensorProto, helper, numpy_helper

    W = (numpy.arange(12, dtype=numpy.float32).reshape(4, 3) - 5) / 10
    labels = numpy.array([10, 20, 30], dtype=numpy.int64)
    nodes = [
        helper.make_node("MatMul", ["X", "W"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
        helper.make_node("ArgMax", ["logits"], ["index"], axis=1, keepdims=0),
        helper.make_node("Gather", ["labels", "index"], ["label"]),
    ]
    probabilities = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 3])
    if zipmap:
        nodes.append(
            helper.make_node(
                "ZipMap", ["probabilities"], ["output_probability"], domain="ai.onnx.ml", classlabels_int64s=labels
            )
        )
        element = helper.make_map_type_proto(TensorProto.INT64, helper.make_tensor_type_proto(TensorProto.FLOAT, []))
        probabilities = helper.make_value_info("output_probability", helper.make_sequence_type_proto(element))
    graph = helper.make_graph(
        nodes,
        "classifier",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None]), probabilities],
        initializer=[numpy_helper.from_array(W, "W"), numpy_helper.from_array(labels, "labels")],
    )
    opsets = [helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)]
    model = helper.make_model(graph, opset_imports=opsets)
    model.ir_version = 8
    onnx.checker.check_model(model)
    model_dir = tmp_path / "classifier-onnx"
    model_dir.mkdir()
    onnx.save(model, str(model_dir / "model.onnx"))

    connection = serve(model_dir, "onnx").connection()
    rows = [[1, 2, 3, 4], [4, 3, -2, -1]]
    logits = numpy.asarray(rows, dtype=numpy.float32) @ W
    expected = numpy.exp(logits) / numpy.exp(logits).sum(axis=1, keepdims=True)
    status, document, _ = call(connection, "POST", "/predict", {"instances": rows, "return_scores": True})
    assert status == 200, document
    assert document["predictions"] == labels[logits.argmax(axis=1)].tolist()
    assert document["scores"] == [pytest.approx(row, rel=1e-5) for row in expected.tolist()]
    # a ZipMap names its classes; a bare tensor doesn't
    assert document["classes"] == ([10, 20, 30] if zipmap else None)
    assert predict(connection, rows) == labels[logits.argmax(axis=1)].tolist()


def test_bad_requests_get_a_4xx_and_the_worker_keeps_serving(serve, iris):
    model_dir, model, _ = iris
    worker = serve(model_dir, "scikit-learn")
    good = model.predict([IRIS_ROW]).tolist()
    connection = worker.connection()
    assert predict(connection, [IRIS_ROW]) == good
    sock = connection.sock

    cases = [
        ("POST", "/predict", b'{"instances": [[5.1, 3.5', 400, "bad_request", "JSON"),
        ("POST", "/predict", b"", 400, "bad_request", "JSON"),
        ("POST", "/predict", b'{"inputs": [[5.1, 3.5, 1.4, 0.2]]}', 400, "validation", '"instances"'),
        ("POST", "/predict", b'{"instances": "5.1,3.5"}', 400, "validation", "must be a list"),
        # a bracket bomb: the JSON parser's recursion limit is the client's mistake, not a 500
        ("POST", "/predict", b'{"instances": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400, "bad_request", "nested"),
        ("POST", "/predict", b'{"instances": [[5.1, 3.5, 1.4]]}', 400, "validation", "3 features"),
        ("POST", "/predict", b'{"instances": [[5.1, 3.5, 1.4, 0.2], [1]]}', 400, "validation", ""),
        ("GET", "/predict", None, 405, "method_not_allowed", "POST"),
        ("POST", "/health", b"{}", 405, "method_not_allowed", "GET"),
        ("GET", "/nowhere", None, 404, "not_found", "/nowhere"),
    ]
    for method, path, body, status, code, words in cases:
        got, document, headers = call(connection, method, path, raw=body)
        assert (got, document["error"]["code"]) == (status, code), (method, path, body, document)
        message = document["error"]["message"]
        assert words in message and "\n" not in message and len(message) <= 300, message
        if status == 405:
            assert headers["allow"] == words
        assert predict(connection, [IRIS_ROW]) == good, "the same connection serves on"
        assert predict(worker.connection(), [IRIS_ROW]) == good, "and so does a new one"
    assert connection.sock is sock

    # A chunked body: refused, and the connection closed (its framing can't be followed).
    with socket.create_connection(("127.0.0.1", worker.port), timeout=10) as raw:
        raw.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        answer = read_until_closed(raw)
    assert answer.startswith(b"HTTP/1.1 411 ") and b'"length_required"' in answer
    assert predict(worker.connection(), [IRIS_ROW]) == good


def test_an_oversized_body_gets_413_unread_and_a_new_connection_works(serve, iris):
    model_dir, model, _ = iris
    worker = serve(model_dir, "scikit-learn", "--max-body-bytes", "1000")
    connection = worker.connection()
    good = model.predict([IRIS_ROW]).tolist()
    assert predict(connection, [IRIS_ROW]) == good

    status, document, headers = call(connection, "POST", "/predict", {"instances": [IRIS_ROW] * 60})
    assert status == 413 and document["error"]["code"] == "payload_too_large"
    assert "1000" in document["error"]["message"] and headers["connection"] == "close"
    assert predict(worker.connection(), [IRIS_ROW] * 20) == good * 20  # just under the limit
    assert predict(connection, [IRIS_ROW]) == good  # http.client reconnects: the worker closed the old one


# --- the protocol ---------------------------------------------------------------------------


def read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def read_response(reader) -> tuple:
    status_line = reader.readline()
    assert status_line.startswith(b"HTTP/1.1 "), status_line
    headers = {}
    while True:
        line = reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, json.loads(reader.read(int(headers["content-length"])))


def test_pipelined_requests_come_back_in_order(serve, tmp_path):
    echo = "def predict(instances):\n    return [x * 10 for x in instances]\n"
    model_dir = write_files(tmp_path / "echo", {"predict.py": echo})
    worker = serve(model_dir, "custom")

    def post(body: bytes, close: bool = False) -> bytes:
        connection = b"Connection: close\r\n" if close else b""
        return b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), connection, body)

    requests = [post(b'{"instances": [%d]}' % i) for i in range(5)]
    requests.insert(2, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    requests.insert(4, post(b"{not json"))
    requests.append(post(b'{"instances": [99]}', close=True))
    with socket.create_connection(("127.0.0.1", worker.port), timeout=10) as sock:
        sock.sendall(b"".join(requests))  # all at once: the worker sees them in one read
        reader = sock.makefile("rb")
        answers = [read_response(reader) for _ in requests]
        assert reader.read() == b"", "closed after the Connection: close request"

    statuses = [status for status, _, _ in answers]
    assert statuses == [200, 200, 200, 200, 400, 200, 200, 200]
    predictions = [document.get("predictions") for _, _, document in answers]
    assert predictions == [[0], [10], None, [20], None, [30], [40], [990]]
    assert answers[2][2]["status"] == "ok" and answers[4][2]["error"]["code"] == "bad_request"
    assert answers[-1][1]["connection"] == "close"


def test_sigterm_lets_the_request_in_flight_finish_then_exits_0(serve, tmp_path):
    model_dir = write_files(
        tmp_path / "slow",
        {
            "predict.py": """
                import os, time

                def predict(instances):
                    open(os.path.join(os.path.dirname(__file__), "started"), "w").close()
                    time.sleep(0.5)
                    return instances
            """
        },
    )
    worker = serve(model_dir, "custom")
    idle = worker.connection()  # an idle keep-alive connection must not hold the exit up
    assert call(idle, "GET", "/health")[0] == 200

    busy = worker.connection()
    busy.request("POST", "/predict", json.dumps({"instances": [[1, 2]]}), {"Content-Type": "application/json"})
    wait_until(lambda: (model_dir / "started").exists(), 10, "the slow predict to start")
    signalled = time.monotonic()
    worker.process.send_signal(signal.SIGTERM)

    response = busy.getresponse()
    assert response.status == 200 and json.loads(response.read()) == {"predictions": [[1, 2]]}
    assert worker.process.wait(STOP_TIMEOUT) == 0, worker.stderr()
    assert time.monotonic() - signalled < 3, "the idle connection was closed, not waited for"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", worker.port), timeout=5)


def test_with_socket_it_listens_on_a_unix_socket_only_its_owner_may_use(serve, iris, tmp_path):
    model_dir, model, _ = iris
    path = tmp_path / "w.sock"
    worker = serve(model_dir, "scikit-learn", "--socket", str(path))
    assert worker.socket_path == str(path)
    assert stat.S_ISSOCK(path.stat().st_mode) and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert predict(worker.connection(), [IRIS_ROW]) == model.predict([IRIS_ROW]).tolist()
    status, document, _ = call(worker.connection(), "GET", "/health")
    assert (status, document["status"]) == (200, "ok")
    assert worker.stop() == 0, worker.stderr()
    assert not path.exists(), "the socket file is removed on the way out"

    # a worker draining after its bridge died leaves the next worker's socket alone
    drainer = serve(model_dir, "scikit-learn", "--socket", str(path))
    path.unlink()
    successor = socket.socket(socket.AF_UNIX)
    successor.bind(str(path))
    try:
        assert drainer.stop() == 0, drainer.stderr()
        assert stat.S_ISSOCK(path.stat().st_mode), "the successor's socket file was removed"
    finally:
        successor.close()


def test_with_stop_on_stdin_eof_it_stops_when_whoever_started_it_is_gone(serve, iris):
    model_dir, _, _ = iris
    worker = serve(model_dir, "scikit-learn", "--stop-on-stdin-eof", stdin=subprocess.PIPE)
    connection = worker.connection()
    assert len(predict(connection, [IRIS_ROW])) == 1
    time.sleep(0.2)
    assert worker.process.poll() is None, "it stopped while its stdin was still open"
    worker.process.stdin.close()  # what a bridge killed with -9 leaves behind
    assert worker.process.wait(STOP_TIMEOUT) == 0, worker.stderr()


def ended(pid: int) -> bool:
    """Gone, or a zombie nobody reaped yet (its parent is gone too)."""
    try:
        with open(f"/proc/{pid}/stat") as stat_file:
            return stat_file.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(sys.platform != "linux", reason="a parent-death signal is Linux's")
def test_with_die_with_parent_it_ends_with_its_parent_even_stopped(iris):
    model_dir, _, _ = iris
    # a parent that starts the worker, says its pid and READY line, and waits to be killed
    launcher = (
        "import subprocess, sys, time\n"
        "worker = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)\n"
        "print(worker.pid, worker.stdout.readline().decode().strip(), flush=True)\n"
        "time.sleep(600)\n"
    )
    argv = worker_argv(model_dir, "scikit-learn", "--die-with-parent")
    parent = subprocess.Popen([sys.executable, "-c", launcher, *argv], stdout=subprocess.PIPE, env=python_env())
    stdout = parent.stdout
    assert stdout is not None  # a pipe
    try:
        import select

        ready, _, _ = select.select([stdout], [], [], READY_TIMEOUT)
        line = stdout.readline().decode() if ready else ""
        assert "EMKIT_WORKER_READY" in line, line
        pid = int(line.split()[0])
        os.kill(pid, signal.SIGSTOP)  # no stdin to watch, and couldn't anyway
    finally:
        parent.kill()
        parent.wait()
        stdout.close()
    wait_until(lambda: ended(pid), STOP_TIMEOUT, "the worker to end with its parent")


# --- models that can't be served ------------------------------------------------------------


def tensorflow_missing() -> bool:
    import importlib.util

    return importlib.util.find_spec("tensorflow") is None


@pytest.mark.parametrize(
    ("framework", "files", "words"),
    [
        ("scikit-learn", {}, "no .joblib/.pkl/.pickle file in"),
        ("scikit-learn", {"model.pkl": "not a pickle"}, "cannot load"),
        ("custom", {}, "no predict.py in"),
        ("custom", {"predict.py": "def load():\n    return 1\n"}, "predict.py has no predict()"),
        (
            "custom",
            {"predict.py": "import not_a_module_anywhere\n"},
            "predict.py failed to import: ModuleNotFoundError",
        ),
        ("onnx", {}, "no .onnx file in"),
        pytest.param(
            "tensorflow",
            {},
            "TensorFlow isn't installed in this environment",
            marks=pytest.mark.skipif(not tensorflow_missing(), reason="TensorFlow is installed here"),
        ),
    ],
)
def test_a_model_that_cant_be_loaded_exits_1_saying_why(tmp_path, framework, files, words):
    model_dir = write_files(tmp_path / "model", files)
    done = subprocess.run(
        worker_argv(model_dir, framework), capture_output=True, text=True, env=python_env(), timeout=60
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == "", "no READY line"
    assert words in done.stderr and str(model_dir) in done.stderr, done.stderr


def test_a_missing_model_dir_exits_1(tmp_path):
    done = subprocess.run(
        worker_argv(tmp_path / "nowhere", "scikit-learn"), capture_output=True, text=True, env=python_env(), timeout=60
    )
    assert done.returncode == 1 and "doesn't exist" in done.stderr, done.stderr
