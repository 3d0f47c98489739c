"""``client.batch_inferences``: batch scoring jobs through the bridge (see client.py for the rest).

In its own module so that client.py, which holds every other resource group, doesn't grow by one more.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from .client import _dataset_value, _quote, _Resource
from .states import BUSY_BATCH_INFERENCE_STATES


class BatchInferences(_Resource):
    """A model version scoring a whole table or folder of files with no endpoint; ``model`` is any model
    reference (id, name, ``name:3``, ``name@production``), ``key`` a job's id or name."""

    path = "/api/v1/batch-inferences"

    def list(
        self,
        limit: int = 1000,
        offset: int = 0,
        model: Optional[str] = None,
        state: Optional[str] = None,
        schedule: Optional[str] = None,
    ) -> List[Dict[str, Any]]:
        """Newest first; ``model`` a bare name means all its versions."""
        query = {"limit": limit, "offset": offset, "model": model, "state": state, "schedule": schedule}
        return self._client.request("GET", self.path, query=query)["items"]

    def create(
        self,
        model: str,
        input: str,
        output: Optional[str] = None,
        overwrite: bool = False,
        output_dataset: Optional[str] = None,
        format: Optional[str] = None,
        features: Optional[List[str]] = None,
        instances: Optional[int] = None,
        batch_size: Optional[int] = None,
        max_error_ratio: Optional[float] = None,
        return_scores: Optional[bool] = None,
        name: Optional[str] = None,
        environment: Optional[str] = None,
        cluster: Optional[str] = None,
        wait: bool = False,
        timeout: float = 86400,
    ) -> Dict[str, Any]:
        """Score ``input`` (a .csv/.parquet/.jsonl table or a folder of files, made absolute here, or a dataset
        ``name[:version]``) into ``output`` (a folder; default: the job's own) as predictions.<format> and
        errors.jsonl. It runs in the background; ``wait=True`` polls until it ends."""
        body: Dict[str, Any] = {"model": model, "input": _dataset_value(input)}
        for key, value in (
            ("output", os.path.abspath(output) if output is not None else None),
            ("overwrite", True if overwrite else None),
            ("outputDataset", output_dataset),
            ("format", format),
            ("features", list(features) if features is not None else None),
            ("instances", instances),
            ("batchSize", batch_size),
            ("maxErrorRatio", max_error_ratio),
            ("returnScores", return_scores),
            ("name", name),
            ("environment", environment),
            ("cluster", cluster),
        ):
            if value is not None:
                body[key] = value
        job = self._client.request("POST", self.path, body)
        return self.wait(job["id"], timeout) if wait else job

    def wait(self, key: str, timeout: float = 86400) -> Dict[str, Any]:
        """Poll until it has ended; returns it (COMPLETE, FAILED or STOPPED)."""
        return self._wait_until(key, lambda j: j["state"] not in BUSY_BATCH_INFERENCE_STATES, timeout, 0.5)

    def stop(self, key: str) -> Dict[str, Any]:
        """Stop it within 5 s; what was scored is kept, in order."""
        return self._client.request("POST", f"{self.path}/{_quote(key)}/stop")

    def delete(self, key: str) -> None:
        """Delete a job that has ended, with its own folder (an ``output`` folder you named stays)."""
        self._client.request("DELETE", f"{self.path}/{_quote(key)}")

    def log(self, key: str) -> str:
        """The workers' log: what was read, resumed, and the traceback of a model that failed."""
        return self._read_log(f"{self.path}/{_quote(key)}/log", {})

    def errors(self, key: str, limit: int = 100) -> List[Dict[str, Any]]:
        """The first bad items (``{"key", "reason"}``: a row number or file path, and why), as errors.jsonl has them."""
        return self._client.request("GET", f"{self.path}/{_quote(key)}/errors", query={"limit": limit})["items"]

    def resources(self, key: str, minutes: Optional[int] = None, points: Optional[int] = None) -> Dict[str, Any]:
        """Its runner's CPU %, memory (MB), threads and open files with its scoring workers counted in, as
        sampled: ``{"processes": [{"process": "runner", "samples": […]}], "summary": {…}}``."""
        return self._resources(key, {"minutes": minutes, "points": points})

    def predictions(self, key: str) -> Any:
        """A COMPLETE (or STOPPED) job's predictions as a pandas DataFrame, read from its output file."""
        import pandas

        job = self.get(key)
        reader = {"jsonl": lambda p: pandas.read_json(p, lines=True), "csv": pandas.read_csv}
        return reader.get(job["format"], pandas.read_parquet)(job["outputFile"])
