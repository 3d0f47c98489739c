"""``client.drift``: a stage's data drift per window against its reference (``emkit endpoint drift``)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from .client import _quote


class Drift:
    """``endpoint`` is an endpoint's name or id. A stage is watched once its ``drift`` setting is on
    (with payload logging), e.g. ``client.request("PATCH", ".../stages/<stage>", {"payloadLogging":
    {"enabled": True}, "drift": {"window": "1h"}})`` or ``emkit endpoint stage update … --drift``."""

    path = "/api/v1/endpoints"

    def __init__(self, client) -> None:
        self._client = client

    def get(self, endpoint: str, stage: Optional[str] = None, windows: Optional[int] = None) -> Dict[str, Any]:
        """``{"endpointId", "reference": {"source", "rows", "columns"} | None, "windows": [{"stage", "start",
        "end", "count", "judged", "features": [{"feature", "kind", "psi", "test", "statistic", "pValue",
        "drifted"}, …], "prediction": {…} | None}, …]}``: the stage's (default: the default stage's) newest
        ``windows`` (default 24), oldest first, the current one (computed now) last; each window's features
        worst first. A reference lacking the model's inputs is refused (ApiError 422 naming them)."""
        query = {"stage": stage, "windows": windows}
        return self._client.request("GET", f"{self.path}/{_quote(endpoint)}/drift", query=query)

    def latest(self, endpoint: str, stage: Optional[str] = None) -> Optional[Dict[str, Any]]:
        """The newest judged window (the current one included), or None while none is."""
        judged = [w for w in self.get(endpoint, stage=stage)["windows"] if w["judged"]]
        return judged[-1] if judged else None
