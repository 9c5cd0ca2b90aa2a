"""Tamper evidence of the stored log: verify, offline verify of an export, and what breaks it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from service.cli import app as cli
from tests.conftest import decision_request


@pytest.fixture
def three(client: TestClient) -> list[dict[str, object]]:
    records = []
    for data_class in ("public", "general", "core"):
        response = client.post("/v1/decisions", json=decision_request(data_class=data_class))
        assert response.status_code == 201, response.text
        records.append(response.json())
    return records


def sql(client: TestClient, statement: str, **params: object) -> None:
    with client.app.state.runtime.db.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(text(statement), params)


def verify(client: TestClient) -> dict[str, object]:
    response = client.get("/v1/decisions/verify")
    assert response.status_code == 200
    return dict(response.json())


def test_clean_chain_verifies(client: TestClient, three: list[dict[str, object]]) -> None:
    assert verify(client) == {
        "ok": True,
        "checked": 3,
        "first_bad_id": None,
        "reason": None,
        "exceptions": {"ok": True, "checked": 0, "first_bad_id": None, "reason": None},
    }


def test_edited_body_is_detected_at_that_record(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    target = three[1]
    sql(
        client,
        'UPDATE decisions SET body = replace(body, \'"verdict":"\' || verdict, '
        '\'"verdict":"tampered\') WHERE id = :id',
        id=target["id"],
    )
    report = verify(client)
    assert report["ok"] is False
    assert report["first_bad_id"] == target["id"]
    assert report["checked"] == 1


def test_edited_index_column_is_detected(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    sql(client, "UPDATE decisions SET sector = 'research' WHERE id = :id", id=three[2]["id"])
    report = verify(client)
    assert report["ok"] is False
    assert report["first_bad_id"] == three[2]["id"]
    assert "sector" in str(report["reason"])


def test_deleted_row_is_detected_at_the_next_record(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    sql(client, "DELETE FROM decisions WHERE id = :id", id=three[1]["id"])
    report = verify(client)
    assert report["ok"] is False
    assert report["first_bad_id"] == three[2]["id"]


def test_deleted_tail_is_detected_through_the_chain_head(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    sql(client, "DELETE FROM decisions WHERE id = :id", id=three[2]["id"])
    report = verify(client)
    assert report["ok"] is False
    assert report["checked"] == 2


def test_reordered_rows_are_detected(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    sql(client, "UPDATE decisions SET seq = 100 WHERE seq = 1")
    sql(client, "UPDATE decisions SET seq = 1 WHERE seq = 2")
    sql(client, "UPDATE decisions SET seq = 2 WHERE seq = 100")
    report = verify(client)
    assert report["ok"] is False
    assert report["first_bad_id"] == three[1]["id"]


def test_export_verifies_offline_and_fails_when_one_byte_changes(
    client: TestClient,
    three,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    export = tmp_path / "decisions.jsonl"
    export.write_bytes(client.get("/v1/decisions/export?format=jsonl").content)
    keys = tmp_path / "keys.json"
    keys.write_text(client.get("/v1/keys").text, encoding="utf-8")
    assert len(export.read_text(encoding="utf-8").splitlines()) == 3

    runner = CliRunner()
    ok = runner.invoke(cli, ["verify", str(export), "--keys", str(keys)])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["checked"] == 3

    data = bytearray(export.read_bytes())
    position = data.index(b'"sector":"finance"') + len('"sector":"')
    data[position] = ord("F")  # one byte
    export.write_bytes(bytes(data))
    bad = runner.invoke(cli, ["verify", str(export), "--keys", str(keys)])
    assert bad.exit_code == 1
    assert json.loads(bad.output)["first_bad_id"] == three[0]["id"]


def test_export_fails_with_another_services_keys(client: TestClient, three, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    export = tmp_path / "decisions.jsonl"
    export.write_bytes(client.get("/v1/decisions/export").content)
    keys = json.loads(client.get("/v1/keys").text)
    keys["keys"][0]["key"] = "A" * 43 + "="  # a different (valid-length) Ed25519 key
    keyfile = tmp_path / "keys.json"
    keyfile.write_text(json.dumps(keys), encoding="utf-8")
    result = CliRunner().invoke(cli, ["verify", str(export), "--keys", str(keyfile)])
    assert result.exit_code == 1


def test_csv_export_has_a_row_per_decision(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/v1/decisions/export?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("seq,id,created_at")
    assert len(lines) == 4


def test_list_filters_and_paginates(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/v1/decisions?limit=2").json()
    assert [r["id"] for r in page["items"]] == [three[2]["id"], three[1]["id"]]
    rest = client.get(f"/v1/decisions?limit=2&cursor={page['next_cursor']}").json()
    assert [r["id"] for r in rest["items"]] == [three[0]["id"]]
    assert rest["next_cursor"] is None
    assert client.get("/v1/decisions?sector=government").json()["items"] == []
    assert len(client.get("/v1/decisions?sector=finance").json()["items"]) == 3
    assert client.get("/v1/decisions?cursor=abc").status_code == 422


def test_the_api_has_no_update_or_delete(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    target = f"/v1/decisions/{three[0]['id']}"
    assert client.delete(target).status_code == 405
    assert client.put(target, json={}).status_code == 405
    assert client.patch(target, json={}).status_code == 405


def test_list_filters_by_time_range_in_any_offset(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta

    created = datetime.fromisoformat(str(three[1]["created_at"]))
    shanghai = created.astimezone(datetime.fromisoformat("2026-01-01T00:00:00+08:00").tzinfo)
    params = {
        "since": shanghai.isoformat(),
        "until": (created + timedelta(microseconds=1)).isoformat(),
    }
    page = client.get("/v1/decisions", params=params)
    assert page.status_code == 200, page.text
    assert [r["id"] for r in page.json()["items"]] == [three[1]["id"]]
    before_all = {
        "until": (
            datetime.fromisoformat(str(three[0]["created_at"])) - timedelta(seconds=1)
        ).isoformat()
    }
    assert client.get("/v1/decisions", params=before_all).json()["items"] == []
    naive = client.get("/v1/decisions", params={"since": "2026-01-01T00:00:00"})
    assert naive.status_code == 422
    assert naive.json()["field"] == "query.since"
    unix = client.get("/v1/decisions", params={"until": "29861"})
    assert unix.status_code == 422
    assert "RFC 3339" in unix.json()["detail"]


def _export(client: TestClient, folder: Path) -> tuple[Path, Path]:
    export, keys = folder / "decisions.jsonl", folder / "keys.json"
    export.write_bytes(client.get("/v1/decisions/export").content)
    keys.write_text(client.get("/v1/keys").text, encoding="utf-8")
    return export, keys


def _verify_offline(export: Path, keys: Path, *checkpoints: Path) -> tuple[int, dict[str, object]]:
    args = ["verify", str(export), "--keys", str(keys)]
    for checkpoint in checkpoints:
        args += ["--checkpoint", str(checkpoint)]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, json.loads(result.output)


def test_a_kept_checkpoint_catches_a_tail_removed_with_the_head(  # type: ignore[no-untyped-def]
    client: TestClient, three, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    response = client.get("/v1/decisions/checkpoint")
    assert response.status_code == 200
    checkpoint.write_text(response.text, encoding="utf-8")
    assert response.json()["seq"] == 3
    assert response.json()["hash"] == three[2]["integrity"]["hash"]

    # Someone with database access drops the last record and winds the head back to match.
    sql(client, "DELETE FROM decisions WHERE seq = 3")
    sql(
        client,
        "UPDATE chain_head SET seq = 2, hash = :hash WHERE id = 1",
        hash=three[1]["integrity"]["hash"],
    )
    assert verify(client)["ok"] is True  # the database alone cannot tell
    export, keys = _export(client, tmp_path)
    assert _verify_offline(export, keys)[0] == 0
    code, report = _verify_offline(export, keys, checkpoint)
    assert code == 1
    assert "tail removed" in str(report["reason"])


def test_a_checkpoint_still_verifies_after_later_decisions(  # type: ignore[no-untyped-def]
    client: TestClient, three, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(client.get("/v1/decisions/checkpoint").text, encoding="utf-8")
    assert client.post("/v1/decisions", json=decision_request()).status_code == 201
    export, keys = _export(client, tmp_path)
    code, report = _verify_offline(export, keys, checkpoint)
    assert (code, report["checked"]) == (0, 4)


def test_a_forged_checkpoint_is_refused(client: TestClient, three, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    statement = client.get("/v1/decisions/checkpoint").json()
    statement["seq"] = 2  # claims a shorter history than was signed
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(json.dumps(statement), encoding="utf-8")
    export, keys = _export(client, tmp_path)
    code, report = _verify_offline(export, keys, checkpoint)
    assert code == 1
    assert report["reason"] == "checkpoint signature invalid"


def test_a_checkpoint_that_is_not_json_is_refused_by_name(  # type: ignore[no-untyped-def]
    client: TestClient, three, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text("<html>login page</html>", encoding="utf-8")
    export, keys = _export(client, tmp_path)
    code, report = _verify_offline(export, keys, checkpoint)
    assert code == 1
    assert report["checkpoint"] == str(checkpoint)
    assert "not a JSON object" in str(report["reason"])


def test_a_record_that_differs_from_a_checkpoint_is_named(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    from service.decisions.verify import verify_chain

    keys = client.app.state.runtime.signing_key  # type: ignore[attr-defined]
    records = [dict(r) for r in three]
    kept = [(2, "f" * 64)]  # what an auditor saw at record 2 was something else
    result = verify_chain(records, keys={keys.key_id: keys.public_key}, checkpoints=kept)
    assert (result.ok, result.checked, result.first_bad_id) == (False, 1, three[1]["id"]), result
    assert result.reason == "record 2 differs from a kept checkpoint"


def test_each_record_from_the_api_verifies_on_its_own(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    """POST, GET and list answer with the record as sealed: an auditor can check one record's
    hash and signature with the published key, without an export."""
    from service.decisions import chain

    published = {k["key_id"]: k["key"] for k in client.get("/v1/keys").json()["keys"]}
    fetched = client.get(f"/v1/decisions/{three[0]['id']}").json()
    listed = client.get("/v1/decisions").json()["items"]
    assert fetched == three[0]
    for record in [*three, fetched, *listed]:
        integrity = record["integrity"]
        assert chain.record_hash(chain.content_of(record)) == integrity["hash"]
        key = chain.public_key_from_b64(published[integrity["key_id"]])
        assert chain.signature_valid(key, integrity["hash"], integrity["signature"])


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("created_at", "2000-01-01 00:00:00.000000"),
        ("rule_ids", " "),
        ("id", "00000000-0000-4000-8000-000000000000"),
        ("input_sha256", "f" * 64),
        ("key_id", "ed25519:0000000000000000"),
        ("organization", "someone-else"),
        ("verdict", "deny"),
        ("tier", "shared_cloud"),
    ],
)
def test_every_edited_index_column_is_detected(  # type: ignore[no-untyped-def]
    client: TestClient, three, column: str, value: str
) -> None:
    """Issue 9 item 7: an edited column hides a record from a filter or lookup; verify names it."""
    sql(
        client,
        f"UPDATE decisions SET {column} = :value WHERE id = :id",
        value=value,
        id=three[1]["id"],
    )
    report = verify(client)
    assert report["ok"] is False
    assert report["checked"] == 1
    assert f"column {column} " in str(report["reason"])


def test_verify_checks_the_columns_the_repository_fills() -> None:
    """One map: every index column of the table (all but the body, the hash and signature it
    covers, and the idempotency key that is not part of the record) is checked."""
    from service.decisions.index_columns import INDEX_COLUMNS
    from service.decisions.tables import DecisionRow

    unchecked = set(DecisionRow.model_fields) - set(INDEX_COLUMNS)
    assert unchecked == {"body", "hash", "signature", "idempotency_key"}


def test_a_since_that_overflows_in_utc_is_422(client: TestClient) -> None:
    """Issue 9 item 8: 9999-12-31T23:59:59-14:00 is past datetime.max in UTC (was a 500)."""
    response = client.get("/v1/decisions", params={"since": "9999-12-31T23:59:59-14:00"})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "query.since"


@pytest.mark.parametrize("value", ["0.5", "1764547200", "1764547200.5", "2026-12-01", "yes"])
def test_since_and_until_take_rfc3339_only(client: TestClient, value: str) -> None:
    """Issue 9 item 9: pydantic read `until=0.5` as a Unix time."""
    for name in ("since", "until"):
        response = client.get("/v1/decisions", params={name: value})
        assert response.status_code == 422, (name, value, response.text)
        assert response.json()["field"] == f"query.{name}"


def test_an_underscore_in_a_rule_id_filter_is_not_a_wildcard(client: TestClient, three) -> None:  # type: ignore[no-untyped-def]
    """Issue 9 item 9: `_` was LIKE's any-character wildcard."""
    rule_ids = {o["rule_id"] for r in three for o in r["obligations"]}
    real = sorted(rule_ids)[0]
    assert len(client.get("/v1/decisions", params={"rule_id": real}).json()["items"]) >= 1
    fake = real.replace(".", "_", 1)  # "obligations_x" matched "obligations.x" through LIKE
    assert client.get("/v1/decisions", params={"rule_id": fake}).json()["items"] == []


def test_a_405_allows_every_method_of_the_path(client: TestClient) -> None:
    """Issue 9 item 9: Allow named only the first route's method."""
    response = client.delete("/v1/decisions")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    assert client.put("/v1/decisions/verify").headers["Allow"] == "GET"
