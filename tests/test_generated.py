"""Generated artefacts (openapi/, schemas/) must match the code."""

from __future__ import annotations

import json

from service.generated import artefacts
from service.settings import PROJECT_ROOT


def test_committed_artefacts_match_the_code() -> None:
    stale = [
        relative
        for relative, text in artefacts().items()
        if not (PROJECT_ROOT / relative).exists()
        or (PROJECT_ROOT / relative).read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"run `make generate`: {stale}"


def test_openapi_documents_every_public_operation() -> None:
    document = json.loads(artefacts()["openapi/openapi.json"])
    paths = document["paths"]
    assert "post" in paths["/v1/decisions"]
    assert "get" in paths["/v1/decisions/{decision_id}"]
    assert "post" in paths["/v1/sizing"]
    for path in ("/v1/policies", "/v1/catalog/accelerators", "/healthz", "/readyz"):
        assert "get" in paths[path], path
    assert "503" in paths["/v1/decisions"]["post"]["responses"]
