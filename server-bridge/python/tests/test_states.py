"""The client's state lists (emkit/states.py, generated from the bridge's state machines) against the
state enums of the bridge's own OpenAPI document."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from emkit import states

# resource → the operation whose answer's `state` property lists its states
OPERATIONS = {
    "ENVIRONMENT": "getEnvironment",
    "TRAINING": "getTraining",
    "ENDPOINT": "getEndpoint",
    "STAGE": "getEndpointStage",
    "TENSORBOARD": "getTensorboard",
}


def _enum(schema: Dict[str, Any]) -> List[str]:
    """The values a state property allows: `enum`, or a union of `const`s as TypeBox writes it."""
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    return [value for option in schema.get("anyOf", []) for value in _enum(option)]


@pytest.fixture
def document(client) -> Dict[str, Any]:
    return client.openapi()


def _answer(document: Dict[str, Any], operation_id: str) -> Dict[str, Any]:
    for methods in document["paths"].values():
        for operation in methods.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return operation["responses"]["200"]["content"]["application/json"]["schema"]
    raise AssertionError(f"{operation_id} is not in the OpenAPI document")


@pytest.mark.parametrize("resource", sorted(OPERATIONS))
def test_states_match_the_openapi_document(document, resource):
    served = _enum(_answer(document, OPERATIONS[resource])["properties"]["state"])
    assert served, f"no state enum in the answer of {OPERATIONS[resource]}"
    every = getattr(states, f"{resource}_STATES")
    settled = getattr(states, f"SETTLED_{resource}_STATES")
    busy = getattr(states, f"BUSY_{resource}_STATES")
    assert sorted(every) == sorted(served)
    assert sorted(settled + busy) == sorted(every)
    assert not set(settled) & set(busy)
