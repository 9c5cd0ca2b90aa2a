"""Generated artefacts: the OpenAPI document and the JSON Schemas, derived from the code."""

from __future__ import annotations

import json
from typing import Any

from service.decisions.models import DecisionRecord, DecisionRequest
from service.policies.models import PolicyDecision, PolicyInput


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def artefacts() -> dict[str, str]:
    """Relative path → file content of every generated artefact."""
    from service.main import create_app

    files = {"openapi/openapi.json": _dump(create_app().openapi())}
    for name, model, mode in (
        ("decision-request", DecisionRequest, "validation"),
        ("decision-record", DecisionRecord, "serialization"),
        ("policy-input", PolicyInput, "serialization"),
        ("policy-decision", PolicyDecision, "validation"),
    ):
        schema = model.model_json_schema(mode=mode)  # type: ignore[arg-type]
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://tiergate.example/schemas/{name}.json"
        files[f"schemas/{name}.json"] = _dump(schema)
    return files
