"""``client.schedules``: chains of trainings, evaluations, promotions and batch scoring, run by the
bridge's own clock on a cron expression (in a time zone) or at an interval (``emkit schedule``)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .client import _quote, _Resource

# a run that has not ended yet; the others are COMPLETE, FAILED, SKIPPED or STOPPED
BUSY_RUN_STATES = ("QUEUED", "RUNNING")


class Schedules(_Resource):
    """``key`` is a schedule's name or id; ``steps`` the API's step objects, e.g.
    ``{"kind": "training", "training": "fit-1", "model": "churn"}``,
    ``{"kind": "evaluation", "data": "holdout", "label": "y"}``,
    ``{"kind": "promote", "alias": "production", "metric": "accuracy", "threshold": 0.9}``,
    ``{"kind": "batch", "batch": {"input": "fresh", "output": "/scores", "overwrite": True}}``."""

    path = "/api/v1/schedules"

    def create(
        self,
        name: str,
        steps: List[Dict[str, Any]],
        cron: Optional[str] = None,
        timezone: Optional[str] = None,
        every: Optional[str] = None,
        overlap: Optional[str] = None,
        catch_up: Optional[bool] = None,
        paused: bool = False,
        description: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Exactly one of ``cron`` (5 fields, or 6 with seconds first; ``timezone`` an IANA zone, default
        UTC) and ``every`` (``"30s"``, ``"5m"``, ``"2h"``, ``"1d"``). ``overlap``: ``"skip"`` (default) or
        ``"queue"`` a run due while the last still goes; ``catch_up`` (default True): one run after the
        bridge was down past a due time. An invalid expression is refused (400) saying why."""
        body: Dict[str, Any] = {"name": name, "steps": list(steps)}
        for key, value in (
            ("cron", cron),
            ("timezone", timezone),
            ("every", every),
            ("overlap", overlap),
            ("catchUp", catch_up),
            ("description", description),
        ):
            if value is not None:
                body[key] = value
        if paused:
            body["paused"] = True
        return self._client.request("POST", self.path, body)

    def preview(
        self, cron: Optional[str] = None, timezone: Optional[str] = None, every: Optional[str] = None, count: int = 5
    ) -> List[str]:
        """The next ``count`` due times (ISO, UTC) of an expression or interval, or a 400 saying why not."""
        body: Dict[str, Any] = {"count": count}
        for key, value in (("cron", cron), ("timezone", timezone), ("every", every)):
            if value is not None:
                body[key] = value
        return self._client.request("POST", f"{self.path}/preview", body)["nextRuns"]

    def update(self, key: str, **changes: Any) -> Dict[str, Any]:
        """Change ``cron``/``timezone``/``every``, ``steps``, ``overlap``, ``catchUp`` or ``description``
        (the API's names); the due times start again from now."""
        return self._client.request("PATCH", f"{self.path}/{_quote(key)}", changes)

    def pause(self, key: str) -> Dict[str, Any]:
        """Start nothing more; a run already going goes on."""
        return self._client.request("POST", f"{self.path}/{_quote(key)}/pause")

    def resume(self, key: str) -> Dict[str, Any]:
        """Start again from now (the time it was paused is not caught up)."""
        return self._client.request("POST", f"{self.path}/{_quote(key)}/resume")

    def run(self, key: str, wait: bool = False, timeout: float = 86400) -> Dict[str, Any]:
        """A run now (trigger ``manual``), under the overlap rule: RUNNING, QUEUED or SKIPPED.
        ``wait=True`` polls until it has ended."""
        started = self._client.request("POST", f"{self.path}/{_quote(key)}/runs")
        return self._wait_for_run(key, started["number"], timeout) if wait else started

    def runs(self, key: str, limit: int = 100, offset: int = 0) -> List[Dict[str, Any]]:
        """The history, newest first: each run's trigger, state, times and steps (with the resource
        each made and its outcome in words)."""
        query = {"limit": limit, "offset": offset}
        return self._client.request("GET", f"{self.path}/{_quote(key)}/runs", query=query)["items"]

    def _wait_for_run(self, key: str, number: int, timeout: float = 86400) -> Dict[str, Any]:
        """Poll until run ``number`` of the schedule has ended; returns it."""

        def find(_key: str) -> Dict[str, Any]:
            return next((r for r in self.runs(key, limit=1000) if r["number"] == number), {"state": "QUEUED"})

        return self._wait_until(key, lambda r: r["state"] not in BUSY_RUN_STATES, timeout, 0.5, get=find)

    def delete(self, key: str) -> None:
        """The schedule and its history go; what its runs made (trainings, models, jobs) stays."""
        self._client.request("DELETE", f"{self.path}/{_quote(key)}")
