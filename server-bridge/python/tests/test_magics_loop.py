"""The whole loop from notebook cells, in a real IPython shell against a real bridge:
``%%emkit train --wait`` a scikit-learn script, make a model of it, promote it, deploy it,
call it with ``%emkit predict``, and check the predictions against the model's own."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from magics import run
from test_client import _bridge_python_has

TRAIN_CELL = """\
import argparse, os
import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from emkit.tracking import log_metric

parser = argparse.ArgumentParser()
parser.add_argument("--max_iter", type=int, default=100)
args = parser.parse_args()
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=args.max_iter).fit(X, y)
log_metric("accuracy", model.score(X, y), step=0)
joblib.dump(model, os.path.join(os.environ["EM_MODEL_DIR"], "model.joblib"))
print("trained with max_iter", args.max_iter)
"""

pytestmark = pytest.mark.skipif(
    not _bridge_python_has("sklearn", "joblib"),
    reason="the bridge's Python (EMKIT_PYTHON, else python3 on the PATH) has no scikit-learn and joblib to train "
    "with; `npm test` puts .venv/bin first on the PATH",
)


def test_train_promote_deploy_predict_from_cells(shell, bridge_env, unique_name, client, monkeypatch):
    joblib = pytest.importorskip("joblib", reason="this test's Python needs joblib to load the model itself")
    datasets = pytest.importorskip("sklearn.datasets", reason="this test's Python needs scikit-learn")
    experiment, training, endpoint = unique_name("churn"), unique_name("fit"), unique_name("api")
    try:
        # 1. the cell as a training, waited for with a live display
        ran = run(
            shell, f"%%emkit train --wait --experiment {experiment} --name {training} --hp max_iter=300\n" + TRAIN_CELL
        )
        assert ran.error is None, ran.text
        assert ran.value["state"] == "COMPLETE" and ran.value["name"] == training
        assert ran.value["hyperparameters"] == {"max_iter": "300"}
        updates = [o for o in ran.outputs if o["update"]]
        assert updates, "the progress display was never updated in place"
        final = ran.html()[-1]
        assert "COMPLETE" in final and "trained with max_iter 300" in final and "accuracy" in final
        assert f"training {training}" in ran.value._repr_html_()

        # the log, and the comparison of the experiment's trainings
        ran = run(shell, f"%emkit logs {training}")
        assert "trained with max_iter 300" in ran.stdout
        ran = run(shell, f"%emkit compare {experiment}")
        assert ran.error is None, ran.text
        pandas = pytest.importorskip("pandas", reason="compare gives a DataFrame only when pandas is there")
        assert isinstance(ran.value, pandas.DataFrame)
        row = ran.value.loc[training]
        assert (row["state"], row["max_iter"]) == ("COMPLETE", "300")
        assert 0.9 < row["accuracy"] <= 1.0

        # 2. a model version of it (named after the experiment), 3. promoted
        ran = run(shell, f"%emkit model create --from {training}")
        assert ran.error is None, ran.text
        model = ran.value
        assert (model["name"], model["version"], model["framework"]) == (experiment, 1, "scikit-learn")
        ran = run(shell, f"%emkit promote {experiment} 1 --alias production")
        assert ran.error is None, ran.text
        assert ran.value["aliases"] == ["production"]
        assert f"{experiment}@production is now version 1" in ran.stdout

        # 4. deployed, waited for until it answers
        ran = run(shell, f"%emkit endpoint create {endpoint} --model {experiment}@production")
        assert ran.error is None, ran.text
        assert ran.value["state"] == "ACTIVE"
        assert f"/inference/{endpoint}" in ran.value._repr_html_()

        # 5. called with a NumPy array and a DataFrame from the notebook's namespace
        X, _ = datasets.load_iris(return_X_y=True)
        shell.user_ns["X_test"] = X[[0, 60, 120, 149]]
        shell.user_ns["frame"] = pandas.DataFrame(X[[0, 60, 120, 149]])
        ran = run(shell, f"%emkit predict {endpoint} X_test")
        assert ran.error is None, ran.text
        predictions = ran.value

        # the model's own answer, from the registry's copy of what the training saved
        artifact = Path(model["artifactPath"])
        own = joblib.load(artifact / "model.joblib" if artifact.is_dir() else artifact)
        assert predictions == own.predict(X[[0, 60, 120, 149]]).tolist()
        assert run(shell, f"%emkit predict {endpoint} --stage default frame").value == predictions
        assert run(shell, f"%%emkit predict {endpoint}\nX_test[:2].tolist()").value == predictions[:2]

        # TensorBoard in the output, through the bridge's proxy
        monkeypatch.setattr("emkit.magics.display.TICKET_SWAP_SECONDS", 0.3)
        ran = run(shell, f"%emkit tensorboard {training}", linger=1.0)
        assert ran.error is None, ran.text
        first, swapped = ran.outputs[0], ran.outputs[-1]
        src = re.search(r'<iframe src="([^"]+)"', first["data"]["text/html"]).group(1).replace("&amp;", "&")
        assert src.startswith(f"{bridge_env.url}/tensorboard/") and "?ticket=" in src
        assert bridge_env.token not in json.dumps(ran.outputs)
        # the browser trades the one-time ticket for a cookie: what it then shows is TensorBoard
        browser = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with browser.open(src, timeout=30) as page:
            assert page.status == 200 and "ticket=" not in page.url
            assert b"TensorBoard" in page.read()
        # spent: the same address opens nothing for anyone else
        stranger = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with pytest.raises(urllib.error.HTTPError) as refused:
            stranger.open(src, timeout=30)
        assert refused.value.code == 401
        # and the output then keeps the plain address
        assert swapped["update"] and bridge_env.token not in swapped["data"]["text/html"]
        plain = re.search(r'<iframe src="([^"]+)"', swapped["data"]["text/html"]).group(1)
        with browser.open(plain, timeout=30) as page:
            assert page.status == 200
    finally:
        for cleanup in (
            lambda: client.endpoints.delete(endpoint),
            lambda: client.models.delete(f"{experiment}:1"),
            lambda: client.trainings.delete(training),
            lambda: client.experiments.delete(experiment),
        ):
            with contextlib.suppress(Exception):
                cleanup()
