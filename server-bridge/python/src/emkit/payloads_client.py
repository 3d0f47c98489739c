"""``client.payloads``: what stages with payload logging on were sent and answered, the true labels
sent back for those predictions, and the rolling model quality they give (``emkit endpoint
payloads|feedback|quality``)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from .client import _quote


class Payloads:
    """``endpoint`` is an endpoint's name or id. Turn logging on per stage with
    ``client.request("PATCH", ".../stages/<stage>", {"payloadLogging": {"enabled": True, ...}})``
    (or ``emkit endpoint stage update``): a sample rate, a size cap, fields redacted by name."""

    path = "/api/v1/endpoints"

    def __init__(self, client) -> None:
        self._client = client

    def list(
        self,
        endpoint: str,
        stage: Optional[str] = None,
        inference_id: Optional[str] = None,
        since: Optional[str] = None,
        until: Optional[str] = None,
        after: Optional[int] = None,
        limit: Optional[int] = None,
    ) -> List[Dict[str, Any]]:
        """Logged requests, the newest ``limit`` (default 200) oldest first: ``{"seq", "inferenceId", "stage",
        "time", "status", "instances", "predictions", "truncated"}``. ``since``/``until``: ISO times
        (``until`` exclusive); ``after``: only a larger ``seq``. A truncated request's ``instances`` is
        the cut JSON text."""
        query = {
            "stage": stage,
            "inferenceId": inference_id,
            "since": since,
            "until": until,
            "after": after,
            "limit": limit,
        }
        return self._client.request("GET", f"{self.path}/{_quote(endpoint)}/payloads", query=query)["items"]

    def feedback(
        self,
        endpoint: str,
        inference_id: Optional[str] = None,
        label: Any = None,
        index: Optional[int] = None,
        items: Optional[Iterable[Dict[str, Any]]] = None,
    ) -> int:
        """The true label of a logged prediction (``inference_id`` is the answer's ``x-inference-id``;
        ``index`` the instance of that request, default 0), or many at once as ``items`` of
        ``{"inferenceId", "label", "index"?}``: all kept or none. An unknown id is refused (404, naming
        it; counted as ``unmatchedFeedback``). Answers how many were kept."""
        if items is not None:
            if inference_id is not None:
                raise ValueError("give inference_id and label, or items, not both")
            body: Dict[str, Any] = {"items": list(items)}
        else:
            if inference_id is None:
                raise ValueError("give inference_id and label, or items")
            body = {"inferenceId": inference_id, "label": label}
            if index is not None:
                body["index"] = index
        return self._client.request("POST", f"{self.path}/{_quote(endpoint)}/feedback", body)["accepted"]

    def quality(
        self, endpoint: str, stage: Optional[str] = None, window: Optional[str] = None, windows: Optional[int] = None
    ) -> Dict[str, Any]:
        """``{"task", "baseline": {"evaluationId", "metrics"} | None, "unmatchedFeedback", "windows": [{"stage",
        "start", "end", "count", "metrics"}, …]}``: accuracy and f1 (classification) or mae and rmse
        (regression) per ``window`` (``"10m"``, ``"1h"`` — the default, ``"1d"``): those of the last ``windows``
        (default 24) that have labels, oldest first, beside the model version's latest COMPLETE evaluation."""
        query = {"stage": stage, "window": window, "windows": windows}
        return self._client.request("GET", f"{self.path}/{_quote(endpoint)}/model-quality", query=query)
