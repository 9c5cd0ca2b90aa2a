"""Replay (what would change under the current policy) and masked sensitive fields."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from service.main import create_app
from service.opa.process import OpaProcess, find_opa_binary
from tests.conftest import POLICIES_DIR, decision_request


def test_replay_under_an_unchanged_policy_reports_no_change(client: TestClient) -> None:
    record = client.post("/v1/decisions", json=decision_request(data_class="core")).json()
    report = client.post(f"/v1/decisions/{record['id']}/replay")
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["changed"] is False
    assert body["fields"] == [] and body["rules"] == []
    assert body["stored_revision"] == body["current_revision"]
    assert client.get("/v1/decisions/verify").json()["checked"] == 1  # nothing written


def test_replay_of_unknown_decision_is_404(client: TestClient) -> None:
    assert client.post("/v1/decisions/nope/replay").status_code == 404


@pytest.fixture
def editable_policies(opa_on_a_copy) -> Iterator[tuple[OpaProcess, Path]]:  # type: ignore[no-untyped-def]
    yield opa_on_a_copy


def test_replay_after_a_policy_change_reports_it_rule_by_rule(
    make_settings, editable_policies
) -> None:  # type: ignore[no-untyped-def]
    process, policies = editable_policies
    settings = make_settings(opa_url=process.url, policies_dir=policies)
    matrix = policies / "tiergate" / "reference" / "tier_matrix" / "data.json"
    with TestClient(create_app(settings)) as client:
        body = decision_request(data_class="general", requested_tier="vpc")
        body["context"]["sector"] = "research"  # type: ignore[index]
        record = client.post("/v1/decisions", json=body).json()
        assert record["verdict"] == "allow"
        assert record["tier"]["minimum"] == "vpc"
        # a reviewer raises research/general from vpc to appliance
        text_before = matrix.read_text(encoding="utf-8")
        edited = _raise_research_general(text_before)
        assert edited != text_before
        matrix.write_text(edited, encoding="utf-8")
        report = client.post(f"/v1/decisions/{record['id']}/replay").json()
        assert report["changed"] is True
        assert report["stored_revision"] != report["current_revision"]
        changed_fields = {f["field"]: f for f in report["fields"]}
        assert changed_fields["verdict"]["before"] == "allow"
        assert changed_fields["verdict"]["after"] == "deny"
        assert changed_fields["tier.minimum"]["after"] == "appliance"
        assert "tier.below_minimum" in {
            r["rule_id"] for r in report["rules"] if r["change"] == "added"
        }


def _raise_research_general(text_: str) -> str:
    document = json.loads(text_)
    document["cells"]["research"]["general"]["tier"] = "appliance"
    return json.dumps(document, indent=1, ensure_ascii=False)


def test_organization_and_workload_name_are_stored_only_as_digests(client: TestClient) -> None:
    record = client.post("/v1/decisions", json=decision_request()).json()
    assert record["masked_fields"] == ["context.organization", "workload.name"]
    assert record["request"]["context"]["organization"].startswith("hmac-sha256:")
    assert record["request"]["workload"]["name"].startswith("hmac-sha256:")
    with client.app.state.runtime.db.connect() as connection:  # type: ignore[attr-defined]
        dump = " ".join(
            str(value)
            for row in connection.execute(text("SELECT * FROM decisions"))
            for value in row
        )
    assert "example-bank" not in dump
    assert "legal-qa" not in dump
    # equality filters still work on the clear value
    found = client.get("/v1/decisions?organization=example-bank").json()["items"]
    assert [r["id"] for r in found] == [record["id"]]
    assert client.get("/v1/decisions?organization=other-bank").json()["items"] == []


def test_opa_decision_log_erases_the_masked_fields(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log_path = tmp_path / "opa.log"
    process = OpaProcess(binary=find_opa_binary(), policies_dir=POLICIES_DIR, log_path=log_path)
    process.start()
    try:
        process.wait_healthy(30)
        with TestClient(create_app(make_settings(opa_url=process.url))) as client:
            body = decision_request()
            body["context"]["organization"] = "clear-org-7781"  # type: ignore[index]
            record = client.post("/v1/decisions", json=body).json()
    finally:
        process.stop()
    events = [
        json.loads(line)
        for line in log_path.read_text(encoding="utf-8").splitlines()
        if '"Decision Log"' in line
    ]
    ours = [e for e in events if e["decision_id"] == record["policy"]["decision_id"]]
    assert len(ours) == 1
    assert "/input/context/organization" in ours[0]["erased"]
    assert "clear-org-7781" not in log_path.read_text(encoding="utf-8")


def test_input_sha256_reveals_no_masked_field(client: TestClient) -> None:
    """Issue 9 item 2: the digest is over the request as stored (masked fields as salted HMACs),
    so guessing organisation and workload name against it finds nothing."""
    from service.decisions import chain
    from service.decisions.models import DecisionRequest

    record = client.post("/v1/decisions", json=decision_request()).json()
    digest = record["integrity"]["input_sha256"]
    assert digest == chain.sha256_hex(chain.canonical(record["request"]))
    # the guess an attacker can make: the request with candidate names in clear
    for organization in ("example-bank", "other-bank"):
        for name in ("legal-qa", "chat"):
            body = decision_request(organization=organization)
            body["workload"]["name"] = name  # type: ignore[index]
            clear = DecisionRequest.model_validate(body).model_dump(mode="json")
            assert chain.sha256_hex(chain.canonical(clear)) != digest
