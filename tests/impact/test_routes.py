"""Impact analysis over the API, against real OPAs (the service's and the job's own)."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.auth import service as auth_service
from service.opa.revision import DiskRevision
from service.policies import bundles
from service.roles import Role
from tests.conftest import POLICIES_DIR, decision_request

MATRIX = "tiergate/reference/tier_matrix/data.json"


def _research(requested_tier: str) -> dict[str, object]:
    body = decision_request(data_class="general", requested_tier=requested_tier)
    body["context"]["sector"] = "research"  # type: ignore[index]
    return body


def _tightened_bundle() -> bytes:
    """The shipped policy with one cell of the tier matrix raised: research/general from vpc
    to appliance."""
    files = DiskRevision(POLICIES_DIR).current().files
    matrix = json.loads(files[MATRIX])
    assert matrix["cells"]["research"]["general"]["tier"] == "vpc"
    matrix["cells"]["research"]["general"]["tier"] = "appliance"
    files[MATRIX] = json.dumps(matrix, ensure_ascii=False)
    return bundles.pack(files, "candidate")


def _finished(client: TestClient, response: Any) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/v1/impact/{job['id']}"
    deadline = time.monotonic() + 120
    while job["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        job = client.get(f"/v1/impact/{job['id']}").json()
    assert job["status"] == "finished", job
    assert job["progress"]["done"] == job["progress"]["total"]
    return job  # type: ignore[no-any-return]


def _chain(client: TestClient) -> tuple[int, str]:
    checkpoint = client.get("/v1/decisions/checkpoint").json()
    return checkpoint["seq"], checkpoint["hash"]


def test_a_candidate_that_tightens_one_rule_flips_exactly_the_hand_counted_records(
    client: TestClient,
) -> None:
    # 3 research/general asking vpc: allowed at vpc; under the candidate the minimum is
    #   appliance, so each is denied (tier.below_minimum), and the selected tier leaves the
    #   cloud, so the cloud extension of MLPS (obligations.mlps_cloud_extension) no longer applies;
    # 2 research/general asking appliance: still allowed, minimum raised vpc -> appliance;
    # 2 finance records: another cell, untouched.
    bodies = [_research("vpc")] * 3 + [_research("appliance")] * 2 + [decision_request()] * 2
    ids = [client.post("/v1/decisions", json=body).json()["id"] for body in bodies]
    before = _chain(client)
    job = _finished(
        client,
        client.post("/v1/impact", files={"bundle": ("tight.tar.gz", _tightened_bundle())}),
    )
    assert job["candidate"]["kind"] == "bundle" and job["candidate"]["name"] == "tight.tar.gz"
    result = job["result"]
    assert (result["analysed"], result["changed"], result["unchanged"]) == (7, 5, 2)
    counts = {name: bucket["count"] for name, bucket in result["transitions"].items()}
    assert counts == {
        "allow_to_deny": 3,
        "deny_to_allow": 0,
        "minimum_tier_raised": 5,
        "minimum_tier_lowered": 0,
        "domestic_substitution_required": 0,
        "domestic_substitution_released": 0,
        "recommendation_changed": 0,
        "obligation_added": 0,
        "obligation_removed": 3,
    }
    assert result["transitions"]["allow_to_deny"]["sample_ids"] == ids[:3]
    assert result["transitions"]["minimum_tier_raised"]["sample_ids"] == ids[:5]
    assert result["rules"] == [
        {
            "rule_id": "obligations.mlps_cloud_extension",
            "added": 0,
            "removed": 3,
            "changed": 0,
            "sample_ids": ids[:3],
        },
        {
            "rule_id": "tier.below_minimum",
            "added": 3,
            "removed": 0,
            "changed": 0,
            "sample_ids": ids[:3],
        },
    ]
    rows = list(csv.DictReader(io.StringIO(client.get(f"/v1/impact/{job['id']}/changes.csv").text)))
    assert [r["decision_id"] for r in rows] == ids[:5]
    assert rows[0]["verdict_before"] == "allow" and rows[0]["verdict_after"] == "deny"
    assert rows[0]["rules_added"] == "tier.below_minimum"
    assert rows[4]["transitions"] == "minimum_tier_raised"
    assert _chain(client) == before  # nothing written to the chain
    assert client.get("/v1/decisions/verify").json()["checked"] == 7
    events = client.get("/v1/audit-events", params={"action": "impact.start"}).json()["items"]
    assert len(events) == 1  # who ran it is an audit event (the multipart body read once)


def test_evaluate_at_past_a_dated_rule_shows_its_flips(client: TestClient) -> None:
    """The PBOC data-security measures apply to finance from 2025-06-30: records decided on
    2025-06-01 gain the obligation when evaluated on 2025-07-01; research ones do not."""
    at = "2025-06-01T10:00:00+08:00"
    finance = [decision_request(evaluation_time=at) for _ in range(2)]
    research = _research("vpc")
    research["context"]["evaluation_time"] = at  # type: ignore[index]
    ids = [client.post("/v1/decisions", json=body).json()["id"] for body in [*finance, research]]
    job = _finished(
        client, client.post("/v1/impact", data={"evaluate_at": "2025-07-01T10:00:00+08:00"})
    )
    assert job["candidate"]["kind"] == "current"
    result = job["result"]
    assert (result["analysed"], result["changed"]) == (3, 2)
    assert result["transitions"]["obligation_added"] == {"count": 2, "sample_ids": ids[:2]}
    assert [r["rule_id"] for r in result["rules"]] == ["obligations.pboc_data_security"]
    # and at their own evaluation time, the current policy changes none of them
    same = _finished(client, client.post("/v1/impact", data={}))
    assert same["result"]["changed"] == 0


def test_an_archived_revision_as_candidate_and_the_filters(client: TestClient) -> None:
    bodies = [_research("vpc")] * 2 + [decision_request()] * 3
    ids = [client.post("/v1/decisions", json=body).json()["id"] for body in bodies]
    revision = client.get("/v1/policies").json()["revision"]
    job = _finished(client, client.post("/v1/impact", data={"revision": revision}))
    assert job["candidate"] == {"kind": "revision", "revision": revision, "name": None}
    assert (job["result"]["analysed"], job["result"]["changed"]) == (5, 0)
    research = _finished(client, client.post("/v1/impact", data={"sector": "research"}))
    assert research["progress"]["total"] == 2
    newest = _finished(client, client.post("/v1/impact", data={"limit": "2"}))
    assert newest["progress"]["total"] == 2
    since = client.get(f"/v1/decisions/{ids[3]}").json()["created_at"]
    late = _finished(client, client.post("/v1/impact", data={"since": since, "verdict": "allow"}))
    assert late["progress"]["total"] == 2


def test_a_bad_bundle_is_400_naming_the_file_and_opas_error(client: TestClient) -> None:
    files = DiskRevision(POLICIES_DIR).current().files
    files["tiergate/rules/tier/broken.rego"] = "package tiergate.rules.tier.broken\n\nx := \n"
    response = client.post(
        "/v1/impact", files={"bundle": ("broken.tar.gz", bundles.pack(files, "x"))}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_bundle" and body["field"] == "bundle"
    assert "broken.tar.gz" in body["detail"]
    assert "tiergate/rules/tier/broken.rego:4: rego_parse_error"  # the eof in body["detail"]
    files = DiskRevision(POLICIES_DIR).current().files
    files[MATRIX] = "{not json"
    response = client.post("/v1/impact", files={"bundle": ("b.tar.gz", bundles.pack(files, "x"))})
    assert response.status_code == 400
    assert f"b.tar.gz: {MATRIX}: invalid JSON at line 1" in response.json()["detail"]
    response = client.post("/v1/impact", files={"bundle": ("c.tar.gz", b"not gzip")})
    assert (
        response.status_code == 400 and "c.tar.gz is not a gzip file" in response.json()["detail"]
    )


def test_unknown_revision_unknown_and_finished_jobs(client: TestClient) -> None:
    response = client.post("/v1/impact", data={"revision": "0" * 64})
    assert response.status_code == 404 and response.json()["field"] == "revision"
    for method, path in (
        ("GET", "/v1/impact/nope"),
        ("GET", "/v1/impact/nope/changes.csv"),
        ("DELETE", "/v1/impact/nope"),
    ):
        response = client.request(method, path)
        assert response.status_code == 404, (method, path)
        assert response.json()["field"] == "job"
    client.post("/v1/decisions", json=decision_request())
    job = _finished(client, client.post("/v1/impact", data={}))
    response = client.delete(f"/v1/impact/{job['id']}")
    assert response.status_code == 409
    assert "already finished" in response.json()["detail"]
    both = client.post(
        "/v1/impact",
        data={"revision": "0" * 64},
        files={"bundle": ("x.tar.gz", _tightened_bundle())},
    )
    assert both.status_code == 422


def test_a_running_job_can_be_cancelled_and_blocks_a_second(client: TestClient) -> None:
    for _ in range(3):
        client.post("/v1/decisions", json=decision_request())
    started = client.post("/v1/impact", data={})
    assert started.status_code == 202
    job = started.json()["id"]
    # the job is still starting its OPA: a second one waits its turn
    second = client.post("/v1/impact", data={})
    assert second.status_code == 409 and job in second.json()["detail"]
    assert client.get(f"/v1/impact/{job}/changes.csv").status_code == 409  # not finished
    cancelled = client.delete(f"/v1/impact/{job}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.delete(f"/v1/impact/{job}").status_code == 409


@pytest.mark.parametrize("role", [Role.policy_author, Role.auditor])
def test_only_policy_authors_run_impact_jobs(client: TestClient, role: Role) -> None:
    db = client.app.state.runtime.db  # type: ignore[attr-defined]
    key = auth_service.create(db, roles=[role], name=role.value).key
    response = client.post("/v1/impact", data={}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == (202 if role is Role.policy_author else 403)
    revisions = client.get("/v1/policies/revisions", headers={"Authorization": f"Bearer {key}"})
    assert revisions.status_code == 200  # both may read the archive
