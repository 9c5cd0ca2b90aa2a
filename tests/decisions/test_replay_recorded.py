"""Faithful replay: each record re-evaluated under the archived revision that made it, on a
throw-away OPA, comes out unchanged, across a log made under three revisions."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from service.main import create_app
from tests.conftest import decision_request


def _set_research_general(matrix: Path, tier: str) -> None:
    document = json.loads(matrix.read_text(encoding="utf-8"))
    document["cells"]["research"]["general"]["tier"] = tier
    matrix.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")


def _requests() -> list[dict[str, object]]:
    research = decision_request(data_class="general", requested_tier="vpc")
    research["context"]["sector"] = "research"  # type: ignore[index]
    return [research, decision_request(data_class="important"), decision_request()]


def test_a_log_made_under_three_revisions_replays_unchanged_under_recorded(
    make_settings, opa_on_a_copy
) -> None:  # type: ignore[no-untyped-def]
    process, policies = opa_on_a_copy
    matrix = policies / "tiergate" / "reference" / "tier_matrix" / "data.json"
    with TestClient(
        create_app(make_settings(opa_url=process.url, policies_dir=policies))
    ) as client:
        records = []
        for tier in (None, "appliance", "bare_metal"):  # the shipped matrix, then two edits
            if tier:
                _set_research_general(matrix, tier)
            records += [client.post("/v1/decisions", json=body).json() for body in _requests()]
        revisions = [r["policy"]["revision"] for r in records]
        assert len(set(revisions)) == 3
        assert [r["tier"]["minimum"] for r in records[::3]] == ["vpc", "appliance", "bare_metal"]
        archived = {i["revision"] for i in client.get("/v1/policies/revisions").json()["items"]}
        assert set(revisions) <= archived

        for record in records:
            report = client.post(f"/v1/decisions/{record['id']}/replay?under=recorded")
            assert report.status_code == 200, report.text
            body = report.json()
            assert body["under"] == "recorded"
            assert (
                body["current_revision"] == body["stored_revision"] == record["policy"]["revision"]
            )
            assert (body["changed"], body["fields"], body["rules"]) == (False, [], []), record["id"]

        # the same old research record under today's policy (bare_metal) does change
        current = client.post(f"/v1/decisions/{records[0]['id']}/replay").json()
        assert current["under"] == "current" and current["changed"] is True
        assert {"verdict", "tier.minimum"} <= {f["field"] for f in current["fields"]}
        assert client.get("/v1/decisions/verify").json()["checked"] == len(records)  # no writes


def test_a_record_whose_revision_is_not_archived_is_409_naming_why(client: TestClient) -> None:
    record = client.post("/v1/decisions", json=decision_request()).json()
    db = client.app.state.runtime.db  # type: ignore[attr-defined]
    with db.begin() as connection:  # as in a log made before the archive existed
        connection.execute(text("DELETE FROM policy_revisions"))
    response = client.post(f"/v1/decisions/{record['id']}/replay?under=recorded")
    assert response.status_code == 409
    body = response.json()
    assert body["field"] == "under"
    assert record["policy"]["revision"][:12] in body["detail"]
    assert "not in the revision archive" in body["detail"]
    assert client.post(f"/v1/decisions/{record['id']}/replay").status_code == 200  # current


def test_under_takes_only_current_or_recorded(client: TestClient) -> None:
    record = client.post("/v1/decisions", json=decision_request()).json()
    response = client.post(f"/v1/decisions/{record['id']}/replay?under=yesterday")
    assert response.status_code == 422
    assert client.post("/v1/decisions/nope/replay?under=recorded").status_code == 404


def test_cli_replays_an_exported_record_offline_from_its_bundle(
    client: TestClient, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from service.cli import app
    from service.policies import bundles

    record = client.post("/v1/decisions", json=decision_request(data_class="important")).json()
    export = tmp_path / "decisions.jsonl"
    export.write_bytes(client.get("/v1/decisions/export").content)
    revision = record["policy"]["revision"]
    bundle = tmp_path / "revision.tar.gz"
    bundle.write_bytes(client.get(f"/v1/policies/revisions/{revision}/bundle").content)
    runner = CliRunner()

    args = ["replay", record["id"], "--export", str(export), "--bundle", str(bundle)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["under"] == "recorded" and report["changed"] is False
    assert report["current_revision"] == revision

    other = tmp_path / "other.tar.gz"
    files = bundles.unpack(bundle.read_bytes())
    files["tiergate/main/main.rego"] += "\n# edited\n"
    other.write_bytes(bundles.pack(files, "edited"))
    wrong = runner.invoke(
        app, ["replay", record["id"], "--export", str(export), "--bundle", str(other)]
    )
    assert wrong.exit_code == 1
    assert "was made under" in wrong.output
    assert (
        runner.invoke(
            app, ["replay", "nope", "--export", str(export), "--bundle", str(bundle)]
        ).exit_code
        == 1
    )
