"""GET /v1/policies: what an auditor reads — revision, engine, and every rule's METADATA."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.opa.revision import DiskRevision
from tests.support.builders import OPA_VERSION, POLICIES_DIR

RULES_DIR = POLICIES_DIR / "tiergate" / "rules"


def rule_ids_on_disk() -> set[str]:
    return {
        f"{path.parent.name}.{path.stem}"
        for path in RULES_DIR.glob("*/*.rego")
        if not path.name.endswith("_test.rego")
    }


def test_policies_lists_revision_engine_and_every_rule(client: TestClient) -> None:
    response = client.get("/v1/policies")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["revision"] == DiskRevision(POLICIES_DIR).current().revision
    assert body["engine"] == "opa"
    assert body["engine_version"] == OPA_VERSION
    assert body["tiers"] == [
        "classified_facility",
        "bare_metal",
        "appliance",
        "vpc",
        "shared_cloud",
    ]
    rules = {rule["rule_id"]: rule for rule in body["rules"]}
    assert set(rules) == rule_ids_on_disk()
    for rule in rules.values():
        assert rule["title"] and rule["description"] and rule["severity"]
        assert rule["related_resources"], f"{rule['rule_id']} names no regulation"
    assert rules["domestic.finance_phase_in"]["effective_on"] is None
    assert rules["obligations.ai_content_labeling"]["effective_on"].startswith("2025-09-01")


def test_policies_needs_the_auditor_role(client: TestClient) -> None:
    response = client.get("/v1/policies", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
