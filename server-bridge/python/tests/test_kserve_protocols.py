"""KServe V1 and the Open Inference Protocol (V2) at the bridge's gateway, spoken by the real
``kserve`` client from PyPI (its REST client, V1 and V2), against a real endpoint serving a
real scikit-learn model. The error cases in detail are in the TypeScript integration tests
(test/integration/inference-protocols.test.ts)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

kserve = pytest.importorskip("kserve", reason="SKIPPED: kserve isn't installed (pip install -r requirements-dev.txt)")
pytest.importorskip("sklearn", reason="SKIPPED: scikit-learn isn't installed in this Python")

import httpx  # noqa: E402  (kserve's own HTTP client)
import numpy  # noqa: E402
from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig  # noqa: E402

import emkit  # noqa: E402


def _bridge_python_has_sklearn() -> bool:
    """The workers run in the bridge's Python (python3 on its PATH, as `npm test` sets it)."""
    python = shutil.which("python3")
    return python is not None and subprocess.run([python, "-c", "import sklearn, joblib"]).returncode == 0


@pytest.fixture(scope="module")
def iris(bridge, tmp_path_factory):
    """An endpoint with an API key, serving a LogisticRegression on iris; what it must predict."""
    if not _bridge_python_has_sklearn():
        pytest.skip("SKIPPED: the bridge's python3 has no scikit-learn (put .venv/bin first on the PATH)")
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    features, labels = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=500).fit(features, labels)
    model_dir = tmp_path_factory.mktemp("iris-model")
    joblib.dump(model, model_dir / "model.joblib")
    rows = features[::30].astype(numpy.float32)
    client = emkit.Client(url=bridge.url, token=bridge.token, timeout=30)
    client.models.create("kserve-iris", artifact_path=str(model_dir))
    endpoint = client.endpoints.create("kserve-iris", "kserve-iris", api_key=True, wait=True, timeout=120)
    assert endpoint["state"] == "ACTIVE", endpoint["stateReason"]
    yield {
        "client": client,
        "key": endpoint["apiKey"],
        "rows": rows,
        "expected": model.predict(rows.astype(numpy.float64)).tolist(),
    }
    client.endpoints.delete("kserve-iris")
    client.models.delete("kserve-iris")


def _key(iris) -> dict:
    """Fresh headers for each call: the kserve client adds its binary-tensor header to the dict it is given."""
    return {"X-Api-Key": iris["key"]}


def _token(bridge) -> dict:
    return {"Authorization": f"Bearer {bridge.token}"}


def _run(coroutine_function):
    async def with_clients():
        v1 = InferenceRESTClient(RESTConfig(protocol="v1", retries=0))
        v2 = InferenceRESTClient(RESTConfig(protocol="v2", retries=0))
        try:
            return await coroutine_function(v1, v2)
        finally:
            await v1.close()
            await v2.close()

    return asyncio.run(with_clients())


def test_kserve_v1_client_liveness_readiness_and_predict(bridge, iris):
    async def calls(v1, _v2):
        assert await v1.is_server_live(bridge.url) is True
        assert await v1.is_model_ready(bridge.url, "kserve-iris", headers=_key(iris)) is True
        with pytest.raises(httpx.HTTPStatusError) as unknown:
            await v1.is_model_ready(bridge.url, "no-such-model", headers=_token(bridge))
        assert unknown.value.response.status_code == 404
        instances = iris["rows"].tolist()
        return await v1.infer(bridge.url, {"instances": instances}, model_name="kserve-iris", headers=_key(iris))

    assert _run(calls) == {"predictions": iris["expected"]}


@pytest.mark.parametrize("binary_data", [False, True], ids=["json-tensors", "binary-tensors"])
def test_kserve_v2_client_health_readiness_and_infer(bridge, iris, binary_data):
    async def calls(_v1, v2):
        assert await v2.is_server_live(bridge.url) is True
        assert await v2.is_server_ready(bridge.url) is True
        assert await v2.is_model_ready(bridge.url, "kserve-iris", headers=_key(iris)) is True
        assert await v2.is_model_ready(bridge.url, "no-such-model", headers=_token(bridge)) is False
        tensor = InferInput(name="features", shape=list(iris["rows"].shape), datatype="FP32")
        tensor.set_data_from_numpy(iris["rows"], binary_data=binary_data)
        request = InferRequest(model_name="kserve-iris", infer_inputs=[tensor], request_id="req-7")
        return await v2.infer(bridge.url, request, model_name="kserve-iris", headers=_key(iris))

    response = _run(calls)
    assert response.model_name == "kserve-iris"
    assert response.id == "req-7"
    [output] = response.outputs
    assert (output.name, output.datatype, output.shape) == ("output-0", "INT64", [len(iris["expected"])])
    assert output.as_numpy().tolist() == iris["expected"]


def test_kserve_v2_client_reaches_a_named_stage_as_a_version(bridge, iris):
    url = f"{bridge.url}/v2/models/kserve-iris/versions/default/infer"

    async def calls(_v1, v2):
        tensor = InferInput(name="features", shape=list(iris["rows"].shape), datatype="FP32")
        tensor.set_data_from_numpy(iris["rows"], binary_data=False)
        request = InferRequest(model_name="kserve-iris", infer_inputs=[tensor])
        return await v2.infer(url, request, headers=_key(iris), is_graph_endpoint=True)

    answer = _run(calls)
    assert answer["model_version"] == "default"
    assert answer["outputs"][0]["data"] == iris["expected"]


def test_kserve_calls_need_the_key_and_are_counted_and_logged(bridge, iris):
    version_url = f"{bridge.url}/v2/models/kserve-iris/versions/default/infer"

    async def calls(v1, v2):
        tensor = InferInput(name="features", shape=list(iris["rows"].shape), datatype="FP32")
        tensor.set_data_from_numpy(iris["rows"])
        await v1.infer(bridge.url, {"instances": iris["rows"].tolist()}, model_name="kserve-iris", headers=_key(iris))
        await v2.infer(bridge.url, InferRequest("kserve-iris", [tensor]), model_name="kserve-iris", headers=_key(iris))
        await v2.infer(version_url, InferRequest("kserve-iris", [tensor]), headers=_key(iris), is_graph_endpoint=True)
        with pytest.raises(httpx.HTTPStatusError) as anonymous:
            await v1.infer(bridge.url, {"instances": iris["rows"].tolist()}, model_name="kserve-iris")
        assert anonymous.value.response.status_code == 401
        # a bad tensor: shape [N, 3] for N x 4 values, refused by the bridge with the field
        with pytest.raises(httpx.HTTPStatusError) as bad:
            await v2.infer(
                bridge.url,
                {"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [1.0, 2.0, 3.0, 4.0]}]},
                model_name="kserve-iris",
                headers=_key(iris),
            )
        assert bad.value.response.status_code == 400
        return bad.value.response.json()

    assert _run(calls)["error"]["field"] == "inputs[0].data"
    client = iris["client"]
    requests = [e for e in client.endpoints.logs("kserve-iris") if e["action"] == "Inference.Request"]
    paths = [entry["body"].split(" ")[1] for entry in requests]
    assert "/v1/models/kserve-iris:predict" in paths
    assert "/v2/models/kserve-iris/infer" in paths
    assert "/v2/models/kserve-iris/versions/default/infer" in paths
    stats = client.endpoints.stats("kserve-iris")
    assert sum(m["count"] for m in stats["minutes"]) == len(paths)
    assert sum(m["errors"] for m in stats["minutes"]) >= 1


def test_kserve_model_readiness_is_false_while_the_stage_loads(bridge, tmp_path: Path):
    """A custom predictor that takes minutes to load: its stage is there, no worker is READY."""
    model_dir = tmp_path / "slow"
    model_dir.mkdir()
    (model_dir / "predict.py").write_text(
        textwrap.dedent(
            """\
            import time

            def load():
                time.sleep(600)

            def predict(model, instances):
                return instances
            """
        )
    )
    client = emkit.Client(url=bridge.url, token=bridge.token, timeout=30)
    client.models.create("kserve-slow", artifact_path=str(model_dir))
    client.endpoints.create("kserve-slow", "kserve-slow")
    try:

        async def calls(v1, v2):
            return (
                await v1.is_model_ready(bridge.url, "kserve-slow", headers=_token(bridge)),
                await v2.is_model_ready(bridge.url, "kserve-slow", headers=_token(bridge)),
            )

        assert _run(calls) == (False, False)
    finally:
        client.endpoints.delete("kserve-slow")
        client.models.delete("kserve-slow")
