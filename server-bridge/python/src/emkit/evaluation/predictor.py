"""The model under evaluation, called once per batch: predicted labels and, where the model
has them, class scores, as numpy arrays.

Every framework loads through ``emkit.serving.loaders.load``, as an endpoint's worker loads it,
so a model is judged by the very code that will serve it. A scikit-learn estimator is called
directly on the batch's frame, and a classifier with ``predict_proba`` once per batch: its
labels are ``classes_[argmax(proba)]``, which is how scikit-learn's probabilistic classifiers
(trees, forests, boosting, naive Bayes, k-NN, MLP, calibrated ones) implement ``predict``, and
what the linear ones' ``predict`` gives too (a softmax or a sigmoid keeps the argmax of the
margins). That halves the work of the hot path. Where it might not hold it is not assumed:
an SVC's probabilities come from a separate Platt fit and may disagree with its ``predict``,
so SVCs are always asked both; any other estimator is asked both on the first batch and keeps
the one-pass path only if the labels agree there on every row.
"""

from __future__ import annotations

from typing import Any, List, Optional, cast

from ..serving.loaders import (
    NoScores,
    _custom_scores,
    load,
)


class Prediction:
    def __init__(self, labels, scores=None, codes=None):
        self.labels = labels  # numpy array, one predicted label (or value, or cluster) per row
        self.scores = scores  # numpy [rows, classes] float array, or None
        self.codes = codes  # the labels' indices into the predictor's classes, where known


class Predictor:
    def __init__(self, framework: str, artifact_path: str):
        self.framework = framework
        self.model = load(framework, artifact_path)
        self.estimator = getattr(self.model, "estimator", None)
        classes = self.model.classes
        self.classes: Optional[List[Any]] = list(classes) if classes is not None else None
        self.no_scores: Optional[str] = None if self.model.scores is not None else self.model.no_scores
        self.kind: Optional[str] = estimator_kind(self.estimator)
        names = getattr(self.estimator, "feature_names_in_", None)
        self.feature_names: Optional[List[str]] = [str(n) for n in names] if names is not None else None
        self._one_pass: Optional[bool] = None  # decided on the first batch
        if self.estimator is not None and _is_svc(self.estimator):
            self._one_pass = False

    @property
    def has_scores(self) -> bool:
        return self.no_scores is None

    def __call__(self, instances) -> Prediction:
        if self.estimator is not None:
            return self._scikit_learn(instances)
        return self._loaded(instances)

    def _scikit_learn(self, instances) -> Prediction:
        import numpy

        frame = getattr(instances, "to_numpy", None) is not None
        if frame and self.feature_names is None:
            rows = instances.to_numpy()
        elif frame:
            rows = instances  # fitted on a DataFrame: its column names are checked
        elif instances and isinstance(instances[0], dict):
            import pandas  # JSONL instances as {column: value}: a frame, in the fit's column order

            rows = pandas.DataFrame(instances, columns=cast(Any, self.feature_names))
            rows = rows if self.feature_names is not None else rows.to_numpy()
        else:
            rows = numpy.asarray(instances)
        estimator: Any = self.estimator
        if not self.has_scores:
            return Prediction(numpy.asarray(estimator.predict(rows)))
        scores = numpy.asarray(estimator.predict_proba(rows), dtype=float)
        codes = scores.argmax(axis=1)
        classes = estimator.classes_
        if self._one_pass:
            return Prediction(classes.take(codes), scores, codes)
        labels = numpy.asarray(estimator.predict(rows))
        if self._one_pass is None:
            self._one_pass = bool(numpy.array_equal(classes.take(codes), labels))
            if not self._one_pass:
                print(
                    "[emkit] the model's predict() differs from the argmax of its predict_proba(): "
                    "calling both for every batch",
                    flush=True,
                )
        return Prediction(labels, scores, codes if self._one_pass else None)

    def _loaded(self, instances) -> Prediction:
        import numpy

        if getattr(instances, "to_numpy", None) is not None:
            matrix = instances.to_numpy()
            # a predict.py gets what a request's JSON would give it; the others take arrays
            instances = matrix.tolist() if self.framework == "custom" else matrix
        if self.framework == "custom":
            return self._custom(instances)
        if self.model.scores is not None and self.has_scores:
            try:
                labels, scores, classes = self.model.scores(instances)
            except NoScores as error:
                self.no_scores = str(error)
            else:
                if self.classes is None and classes is not None:
                    self.classes = list(classes)
                return Prediction(_labels(labels), numpy.asarray(scores, dtype=float))
        output = numpy.asarray(self.model.predict(instances))
        if output.ndim == 2 and output.shape[1] == 1:
            output = output[:, 0]
        if output.ndim == 2:
            # one row of outputs per instance (a torch or TensorFlow classifier): the class is
            # the column with the highest; they are scores only if they are probabilities
            codes = output.argmax(axis=1)
            if self.classes is None:
                self.classes = list(range(output.shape[1]))
            probabilities = bool(
                (output >= 0).all() and (output <= 1).all() and numpy.allclose(output.sum(axis=1), 1, atol=1e-4)
            )
            if probabilities:
                self.no_scores = None
                return Prediction(numpy.asarray(self.classes, dtype=object)[codes], output.astype(float), codes)
            self.no_scores = "the model's outputs aren't probabilities (a row doesn't sum to 1): end it with a softmax"
            return Prediction(numpy.asarray(self.classes, dtype=object)[codes], None, codes)
        return Prediction(_labels(output))

    def _custom(self, instances) -> Prediction:
        """A predict.py is called once: its predict_scores() where it has one, else its
        predict(), whose rows are {"label", "scores"}, or labels alone."""
        import numpy

        if self.model.scores_with_labels and self.model.scores is not None:
            labels, scores, _ = self.model.scores(instances)
            self.no_scores = None
            return Prediction(_labels(labels), numpy.asarray(scores, dtype=float))
        rows = self.model.predict(instances)
        try:
            labels, scores = _custom_scores(rows)
        except NoScores as error:
            self.no_scores = str(error)
            return Prediction(_labels(rows))
        self.no_scores = None  # without CLASSES, the collector may yet tell the columns' classes
        return Prediction(_labels(labels), numpy.asarray(scores, dtype=float))


def _labels(values):
    import numpy

    array = numpy.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"the model gave predictions of shape {list(array.shape)}, not one per row")
    return array


def estimator_kind(estimator) -> Optional[str]:
    """ "classifier", "regressor", "clusterer"… as scikit-learn tags the estimator (its tags
    since 1.6, ``_estimator_type`` before); None for anything else."""
    if estimator is None:
        return None
    tags = getattr(estimator, "__sklearn_tags__", None)
    if callable(tags):
        try:
            return getattr(tags(), "estimator_type", None)
        except Exception:  # a third-party estimator's tags may not follow
            pass
    kind = getattr(estimator, "_estimator_type", None)
    return kind if isinstance(kind, str) else None


def _is_svc(estimator) -> bool:
    try:
        from sklearn.svm._base import BaseSVC
    except ImportError:
        return False
    final = getattr(estimator, "_final_estimator", estimator)  # a Pipeline's last step
    return isinstance(final, BaseSVC)
