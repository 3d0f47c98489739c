"""result.json against the bridge's own schema: every kind of result the runner writes is an
``EvaluationResult`` as the OpenAPI document of a real bridge has it (the schema the bridge
validates and the clients follow)."""

from __future__ import annotations

import json
import textwrap

import pytest

from evaluations import custom_model, evaluate, write_jsonl, write_spec

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema isn't installed in this interpreter")
pytest.importorskip("sklearn", reason="scikit-learn isn't installed in this interpreter")

import joblib  # noqa: E402 (scikit-learn's dependency)
import numpy  # noqa: E402
import pandas  # noqa: E402


@pytest.fixture
def result_schema(client):
    """GET /evaluations/{id}'s answer's ``result``: an EvaluationResult, or null."""
    operation = client.openapi()["paths"]["/api/v1/evaluations/{id}"]["get"]
    evaluation = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert evaluation["title"] == "Evaluation"
    return evaluation["properties"]["result"]


def results(tmp_path):
    """One result.json of each kind: classification with scores and an unseen label,
    classification without scores, regression, clustering."""
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LinearRegression, LogisticRegression

    random = numpy.random.default_rng(11)
    X = random.normal(size=(300, 2))
    made = []

    def fitted(name, model):
        folder = tmp_path / name
        folder.mkdir()
        joblib.dump(model, folder / "model.joblib")
        return folder

    labels = numpy.where(X[:, 0] > 0, "up", "down").astype(object)
    classifier = fitted("classifier", LogisticRegression().fit(X, labels))
    test = labels.copy()
    test[:3] = "sideways"
    data = tmp_path / "classes.csv"
    pandas.DataFrame({"a": X[:, 0], "b": X[:, 1], "label": test}).to_csv(data, index=False)
    made.append(evaluate(write_spec(tmp_path / "e1", classifier, data)))

    plain = custom_model(
        tmp_path / "plain", textwrap.dedent("def predict(rows):\n    return [r[0] > 0 for r in rows]\n")
    )
    jsonl = write_jsonl(tmp_path / "bools.jsonl", [{"instance": [float(x)], "label": bool(x > 0.1)} for x in X[:, 0]])
    made.append(evaluate(write_spec(tmp_path / "e2", plain, jsonl, framework="custom")))

    regressor = fitted("regressor", LinearRegression().fit(X, X[:, 0] * 3))
    data = tmp_path / "values.csv"
    pandas.DataFrame({"a": X[:, 0], "b": X[:, 1], "label": X[:, 0] * 3 + X[:, 1]}).to_csv(data, index=False)
    made.append(evaluate(write_spec(tmp_path / "e3", regressor, data)))

    clusterer = fitted("clusterer", KMeans(n_clusters=2, n_init="auto", random_state=0).fit(X))
    data = tmp_path / "points.csv"
    pandas.DataFrame({"a": X[:, 0], "b": X[:, 1]}).to_csv(data, index=False)
    made.append(evaluate(write_spec(tmp_path / "e4", clusterer, data)))
    return made


def test_every_kind_of_result_is_an_evaluation_result(tmp_path, result_schema):
    validator_class = jsonschema.validators.validator_for(result_schema)
    validator = validator_class(result_schema)
    outcomes = results(tmp_path)
    assert [o.result["task"] for o in outcomes] == ["classification", "classification", "regression", "clustering"]
    for outcome in outcomes:
        assert outcome.status["state"] == "COMPLETE", outcome.status
        problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(outcome.result)]
        assert problems == [], json.dumps(outcome.result)[:2000]
    # the schema does tell: a result missing a figure, or with a null where a number must be, fails
    for key, value in (("accuracy", None), ("confusionMatrix", "absent")):
        broken = json.loads(json.dumps(outcomes[0].result))
        if value == "absent":
            del broken["classification"][key]
        else:
            broken["classification"][key] = value
        assert not validator.is_valid(broken), key
    assert outcomes[0].classification["unseenLabels"] == [{"label": "sideways", "count": 3}]
    assert outcomes[1].classification["classes"] == [False, True]
