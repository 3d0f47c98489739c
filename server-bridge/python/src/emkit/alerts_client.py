"""``client.alerts``: rules on an endpoint's, a worker's or a training's series (error rate, p99 latency,
drift, accuracy, memory, a stalled training, a NaN loss), read by the bridge every few seconds, and their
history of firing and resolving (``emkit alerts``)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from .client import _quote, _Resource


class Alerts(_Resource):
    """``key`` is a rule's name or id. A rule is OK until its condition has held for ``for_seconds``, then
    FIRING until it no longer holds (a RESOLVED event); endpoint traffic series are read over that duration."""

    path = "/api/v1/alerts"

    def create(
        self,
        name: str,
        series: str,
        op: str,
        threshold: float,
        resource: Optional[str] = None,
        stage: Optional[str] = None,
        feature: Optional[str] = None,
        metric: Optional[str] = None,
        for_seconds: Optional[int] = None,
        severity: Optional[str] = None,
        webhook: Optional[str] = None,
        description: Optional[str] = None,
        enabled: Optional[bool] = None,
    ) -> Dict[str, Any]:
        """``series``: ``endpoint.errorRate``, ``endpoint.p99LatencyMs``, ``endpoint.requestsPerMinute``,
        ``endpoint.featureDrift`` (``feature``, default the worst), ``endpoint.predictionDrift``,
        ``endpoint.accuracy`` (``metric``: accuracy, f1, mae, rmse), ``worker.memoryMb``, ``worker.cpuPercent``
        (``resource`` an endpoint, ``stage`` one of its stages), ``training.minutesSinceProgress``,
        ``training.nanLoss`` (``resource`` a training, or None: every running one). ``op``: ``>``, ``>=``,
        ``<``, ``<=``. ``webhook``: an http(s) URL that gets each event as a JSON POST. A series that
        doesn't exist, or a field the resource lacks, is a 400 naming it; a resource that doesn't, a 404."""
        body: Dict[str, Any] = {"name": name, "series": series, "op": op, "threshold": threshold}
        for key, value in (
            ("resource", resource),
            ("stage", stage),
            ("feature", feature),
            ("metric", metric),
            ("forSeconds", for_seconds),
            ("severity", severity),
            ("webhook", webhook),
            ("description", description),
            ("enabled", enabled),
        ):
            if value is not None:
                body[key] = value
        return self._client.request("POST", self.path, body)

    def update(self, key: str, **changes: Any) -> Dict[str, Any]:
        """Change any of the API's fields (``threshold``, ``forSeconds``, ``enabled``, ``webhook``…; ``None``
        clears one); the rule starts again from OK."""
        return self._client.request("PATCH", f"{self.path}/{_quote(key)}", changes)

    def delete(self, key: str) -> None:
        """The rule and its history go."""
        self._client.request("DELETE", f"{self.path}/{_quote(key)}")

    def events(
        self, rule: Optional[str] = None, kind: Optional[str] = None, after: Optional[int] = None, limit: int = 100
    ) -> List[Dict[str, Any]]:
        """Rules firing and resolving, newest last (the newest ``limit``; with ``after``, those following
        that seq): each with its message, value, threshold and how its webhook went."""
        query = {"rule": rule, "kind": kind, "after": after, "limit": limit}
        return self._client.request("GET", "/api/v1/alert-events", query=query)["items"]
