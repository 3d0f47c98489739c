"""Loading a model directory into one function: ``predict(instances) -> predictions``.

One loader per framework, each importing its framework only when called (a scikit-learn
worker must not pay for importing torch). ``predict`` takes the request's ``instances``
list and returns something JSON can encode. It raises ValueError for an input the model
can't take, whatever the framework raised, so that the caller answers 400 and not 500.

Where the model gives class probabilities, ``Model.scores(instances)`` returns
``(predictions, scores, classes)`` for a request that asks with ``"return_scores": true``;
``Model.no_scores`` says why a model gives none (a regressor, a one-output graph). It is a
second function so that ``predict``, the hot path, stays as it was.
"""

from __future__ import annotations

import os
import sys

FRAMEWORKS = ("scikit-learn", "pytorch", "onnx", "tensorflow", "custom")

MESSAGE_LIMIT = 300


class LoadError(Exception):
    """The model can't be served; the message says why, for the user."""


class Model:
    def __init__(self, predict, source: str, scores=None, classes=None, no_scores: str = "", estimator=None):
        self.predict = predict
        self.source = source  # what was loaded, for the log
        # the scikit-learn estimator itself: the evaluation runner asks it for probabilities
        # once per batch and takes the labels from them (emkit/evaluation/predictor.py)
        self.estimator = estimator
        self.scores = scores  # instances -> (predictions, scores, classes), or None
        self.classes = classes  # the scores' columns where known before a request, else None
        self.no_scores = no_scores or "the worker gives no class scores for this framework's models yet"
        # scores() gives the labels as well (a predict.py's predict_scores): one call for both
        self.scores_with_labels = False


class NoScores(ValueError):
    """The model's answer has no scores after all (a custom predict.py's rows); a 400."""


def load(framework: str, model_dir: str) -> Model:
    if not os.path.isdir(model_dir):
        raise LoadError(f"the model directory {model_dir} doesn't exist")
    loader = {
        "scikit-learn": _scikit_learn,
        "pytorch": _pytorch,
        "onnx": _onnx,
        "tensorflow": _tensorflow,
        "custom": _custom,
    }.get(framework)
    if loader is None:
        raise LoadError(f"unknown framework {framework!r}: use one of {', '.join(FRAMEWORKS)}")
    return loader(model_dir)


def first_line(error: BaseException) -> str:
    """An exception's message as one line of at most MESSAGE_LIMIT characters."""
    text = str(error).strip()
    line = text.splitlines()[0].strip() if text else type(error).__name__
    return line if len(line) <= MESSAGE_LIMIT else line[: MESSAGE_LIMIT - 3] + "..."


def tolist(value):
    """numpy arrays and tensors as lists; anything else as it is."""
    convert = getattr(value, "tolist", None)
    return convert() if convert is not None else value


def find_file(model_dir: str, suffixes: tuple) -> str:
    """The model file in ``model_dir``: the only one with these suffixes, else ``model.*``
    (in the order of ``suffixes``), else the first by name; a choice is said on stderr."""
    names = sorted(
        name
        for name in os.listdir(model_dir)
        if name.lower().endswith(suffixes) and os.path.isfile(os.path.join(model_dir, name))
    )
    if not names:
        raise LoadError(f"no {'/'.join(suffixes)} file in {model_dir}")
    chosen = names[0]
    if len(names) > 1:
        preferred = [f"model{suffix}" for suffix in suffixes]
        chosen = next((name for name in preferred if name in names), names[0])
        print(
            f"[emkit] {len(names)} model files in {model_dir} ({', '.join(names)}): serving {chosen}", file=sys.stderr
        )
    return os.path.join(model_dir, chosen)


# --- the frameworks -------------------------------------------------------------------------


def _scikit_learn(model_dir: str) -> Model:
    path = find_file(model_dir, (".joblib", ".pkl", ".pickle"))
    try:
        import joblib  # scikit-learn depends on it
    except ImportError:
        joblib = None
    if joblib is None and path.endswith(".joblib"):
        raise LoadError(f"{path} needs joblib, which isn't installed in this environment")
    try:
        # joblib.load reads plain pickles too, and a .pkl is as often written by joblib.dump
        # as by pickle (whose reader would choke on joblib's numpy arrays).
        if joblib is not None:
            model = joblib.load(path)
        else:
            import pickle

            with open(path, "rb") as file:
                model = pickle.load(file)
    except Exception as error:
        raise LoadError(f"cannot load {path}: {type(error).__name__}: {first_line(error)}") from None
    model_predict = getattr(model, "predict", None)
    if not callable(model_predict):
        raise LoadError(f"{path} holds a {type(model).__name__}, which has no predict()")
    import numpy

    asarray = numpy.asarray

    def predict(instances: list):
        return tolist(model_predict(asarray(instances)))

    return _scikit_learn_scores(model, predict, path)


def _scikit_learn_scores(model, predict, path: str) -> Model:
    """predict_proba's columns, in ``classes_``'s order. A model with decision_function alone
    (an SVC without probability=True, a RidgeClassifier) is refused: its margins are no
    probabilities, and a threshold on them would mean something else per model."""
    kind = type(model).__name__
    predict_proba = getattr(model, "predict_proba", None)  # absent where available_if says so
    classes = getattr(model, "classes_", None)
    if not callable(predict_proba) or classes is None:
        if callable(getattr(model, "decision_function", None)):
            why = (
                f"the model ({kind}) gives no probabilities, only decision_function margins: "
                "wrap it in CalibratedClassifierCV (or fit an SVC with probability=True) to get scores"
            )
        else:
            why = f"the model ({kind}) gives no class scores: it has no predict_proba (a regressor or a clusterer)"
        return Model(predict, path, no_scores=why, estimator=model)
    import numpy

    asarray, classes = numpy.asarray, tolist(classes)

    def scores(instances: list):
        rows = asarray(instances)
        # predict, not argmax(proba): the answer's predictions stay what they are without scores
        return tolist(model.predict(rows)), tolist(predict_proba(rows)), classes

    return Model(predict, path, scores=scores, classes=classes, estimator=model)


def _pytorch(model_dir: str) -> Model:
    path = find_file(model_dir, (".pt", ".pth"))
    try:
        import torch
    except ImportError:
        raise LoadError("PyTorch isn't installed in this environment") from None
    try:
        module = torch.jit.load(path, map_location="cpu")
    except Exception as error:
        raise LoadError(
            f"cannot load {path} as TorchScript (save it with torch.jit.save(torch.jit.script(model), path)): "
            f"{first_line(error)}"
        ) from None
    module.eval()
    tensor, float32, no_grad, script_error = torch.tensor, torch.float32, torch.no_grad, torch.jit.Error

    def predict(instances: list):
        try:
            with no_grad():
                output = module(tensor(instances, dtype=float32))
        except (script_error, RuntimeError) as error:
            raise ValueError(_torch_message(error)) from None
        if isinstance(output, (tuple, list)) and output:
            output = output[0]
        return tolist(output)

    return Model(predict, path)


def _torch_message(error: BaseException) -> str:
    """What went wrong, in torch's words. An error inside a TorchScript module comes as
    "The following operation failed in the TorchScript interpreter." and a TorchScript
    traceback, which ends with the line that says it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("The following operation failed"):
        return first_line(ValueError(lines[-1]))
    return first_line(error)


# ONNX tensor element types -> numpy dtype names
ONNX_TYPES = {
    "tensor(float)": "float32",
    "tensor(double)": "float64",
    "tensor(float16)": "float16",
    "tensor(int64)": "int64",
    "tensor(int32)": "int32",
    "tensor(int16)": "int16",
    "tensor(int8)": "int8",
    "tensor(uint64)": "uint64",
    "tensor(uint32)": "uint32",
    "tensor(uint16)": "uint16",
    "tensor(uint8)": "uint8",
    "tensor(bool)": "bool",
    "tensor(string)": "object",
}


def _onnx(model_dir: str) -> Model:
    path = find_file(model_dir, (".onnx",))
    try:
        import numpy
        import onnxruntime
        from onnxruntime.capi import onnxruntime_pybind11_state as ort_errors  # pyright: ignore[reportAttributeAccessIssue] (compiled, no stub)
    except ImportError:
        raise LoadError("ONNX Runtime isn't installed in this environment (pip install onnxruntime)") from None
    try:
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    except Exception as error:
        raise LoadError(f"cannot load {path}: {first_line(error)}") from None
    inputs = session.get_inputs()
    if len(inputs) != 1:
        names = ", ".join(i.name for i in inputs)
        raise LoadError(f"{path} has {len(inputs)} inputs ({names}); the worker feeds a model one")
    name, dtype = inputs[0].name, ONNX_TYPES.get(inputs[0].type)
    if dtype is None:
        raise LoadError(f"{path}'s input {name} is a {inputs[0].type}, which the worker can't feed")
    output = session.get_outputs()[0].name
    run, asarray = session.run, numpy.asarray
    # ONNX Runtime's errors aren't ValueErrors; these are the ones a bad input brings
    input_errors = (ort_errors.InvalidArgument, ort_errors.Fail, ort_errors.RuntimeException)

    def predict(instances: list):
        try:
            return tolist(run([output], {name: asarray(instances, dtype=dtype)})[0])
        except input_errors as error:
            raise ValueError(first_line(error)) from None

    outputs = session.get_outputs()
    if len(outputs) < 2:
        return Model(predict, path, no_scores=f"{os.path.basename(path)} has one output, so no class scores")
    both = [output, outputs[1].name]  # skl2onnx's (label, probabilities) and the like

    def scores(instances: list):
        try:
            labels, probabilities = run(both, {name: asarray(instances, dtype=dtype)})
        except input_errors as error:
            raise ValueError(first_line(error)) from None
        return (tolist(labels), *_onnx_scores(probabilities))

    return Model(predict, path, scores=scores)


def _onnx_scores(probabilities) -> tuple:
    """``(scores, classes)`` from a probabilities output: a [N, C] tensor (classes unknown:
    None), or skl2onnx's ZipMap, a list of ``{class: probability}`` (its keys the classes)."""
    if isinstance(probabilities, list) and probabilities and isinstance(probabilities[0], dict):
        classes = list(probabilities[0])
        return [[row[c] for c in classes] for row in probabilities], tolist(classes)
    return tolist(probabilities), None


def _tensorflow(model_dir: str) -> Model:
    try:
        import tensorflow as tf
    except ImportError:
        raise LoadError(
            "TensorFlow isn't installed in this environment: install it there, or export the model to ONNX"
        ) from None
    import numpy

    saved_model = os.path.isfile(os.path.join(model_dir, "saved_model.pb"))
    path = model_dir if saved_model else find_file(model_dir, (".keras", ".h5"))
    try:
        if saved_model:
            loaded = tf.saved_model.load(path)
            function = loaded.signatures.get("serving_default") if hasattr(loaded, "signatures") else None
        else:
            loaded, function = tf.keras.models.load_model(path, compile=False), None
    except Exception as error:
        raise LoadError(f"cannot load {path}: {first_line(error)}") from None

    if function is not None:
        specs = function.structured_input_signature[1]
        if len(specs) != 1:
            raise LoadError(f"{path}'s serving_default signature takes {len(specs)} inputs; the worker feeds one")
        ((input_name, spec),) = specs.items()

        def signature(instances):
            outputs = function(**{input_name: tf.constant(instances, dtype=spec.dtype)})
            return outputs[sorted(outputs)[0]]

        call = signature
    elif callable(loaded):

        def keras(instances):
            return loaded(tf.constant(numpy.asarray(instances, dtype="float32")))

        call = keras
    else:
        raise LoadError(f"{path} has no serving_default signature and isn't callable")

    def predict(instances: list):
        try:
            output = call(instances)
        except tf.errors.OpError as error:
            raise ValueError(first_line(error)) from None
        to_numpy = getattr(output, "numpy", None)  # a tf.Tensor's
        return tolist(to_numpy() if callable(to_numpy) else output)

    return Model(predict, path)


def _custom(model_dir: str) -> Model:
    path = os.path.join(model_dir, "predict.py")
    if not os.path.isfile(path):
        raise LoadError(f"no predict.py in {model_dir}")
    import importlib.util

    sys.path.insert(0, model_dir)  # predict.py may import its neighbours
    spec = importlib.util.spec_from_file_location("predict", path)
    if spec is None or spec.loader is None:
        raise LoadError(f"cannot load {path} as a module")
    module = importlib.util.module_from_spec(spec)
    sys.modules["predict"] = module
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as error:
        _print_traceback()
        raise LoadError(f"predict.py failed to import: {type(error).__name__}: {first_line(error)}") from None
    user_predict = getattr(module, "predict", None)
    if not callable(user_predict):
        raise LoadError("predict.py has no predict()")
    user_load = getattr(module, "load", None)
    model = None
    if user_load is not None:
        if not callable(user_load):
            raise LoadError("predict.py's load isn't a function")
        try:
            model = user_load()
        except (Exception, SystemExit) as error:
            _print_traceback()
            raise LoadError(f"predict.py's load() failed: {type(error).__name__}: {first_line(error)}") from None

    if _required_positional(user_predict) >= 2:

        def predict(instances: list):
            return tolist(user_predict(model, instances))

    else:

        def predict(instances: list):
            return tolist(user_predict(instances))

    classes = getattr(module, "CLASSES", None)
    classes = tolist(classes) if isinstance(tolist(classes), list) else None

    user_scores = getattr(module, "predict_scores", None)
    if callable(user_scores):
        return _custom_predict_scores(predict, user_scores, model, path, classes)

    def scores(instances: list):
        return (*_custom_scores(predict(instances)), classes)

    return Model(predict, path, scores=scores, classes=classes)


def _custom_predict_scores(predict, user_scores, model, path: str, classes) -> Model:
    """A predict.py's ``predict_scores([model,] instances) -> (labels, scores)``: the scores'
    columns in CLASSES' order. Its labels are the answer's predictions, so one call gives both."""
    two = _required_positional(user_scores) >= 2

    def scores(instances: list):
        answer = user_scores(model, instances) if two else user_scores(instances)
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            raise NoScores("predict.py's predict_scores() must return (labels, scores)")
        labels, rows = answer
        return tolist(labels), tolist(rows), classes

    found = Model(predict, path, scores=scores, classes=classes)
    found.scores_with_labels = True  # the evaluation calls scores() alone (emkit/evaluation/predictor.py)
    return found


def _custom_scores(rows) -> tuple:
    """``(labels, scores)`` from a predict.py that returns ``{"label", "scores"}`` per row."""
    shaped = isinstance(rows, list) and all(isinstance(r, dict) and "label" in r and "scores" in r for r in rows)
    if not shaped:
        raise NoScores('predict.py gives no class scores: its predict() must return {"label", "scores"} per row')
    return [row["label"] for row in rows], [tolist(row["scores"]) for row in rows]


def _required_positional(function) -> int:
    """How many positional parameters ``function`` requires (0 if it can't be told)."""
    import inspect

    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 0
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in parameters if p.kind in kinds and p.default is inspect.Parameter.empty)


def _print_traceback() -> None:
    import traceback

    traceback.print_exc(file=sys.stderr)
