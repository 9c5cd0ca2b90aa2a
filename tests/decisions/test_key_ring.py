"""The log's key ring: a rotated signing key and other replicas' keys keep verifying the records
they signed (GET /v1/keys publishes them all; verify online and offline uses them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.auth import service as auth_service
from service.cli import app as cli
from service.main import create_app
from service.roles import Role
from tests.conftest import decision_request
from tests.support.postgres import assert_append_only


def _client(settings) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(create_app(settings))
    client.__enter__()
    key = auth_service.create(client.app.state.runtime.db, roles=list(Role)).key  # type: ignore[attr-defined]
    client.headers["Authorization"] = f"Bearer {key}"
    return client


def _decide(client: TestClient, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        response = client.post("/v1/decisions", json=decision_request())
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def _rotate_and_check(make_settings, tmp_path: Path, **db: object) -> None:  # type: ignore[no-untyped-def]
    first = make_settings(auth_enabled=True, signing_key_path=tmp_path / "old.pem", **db)
    client = _client(first)
    try:
        _decide(client, 2)
        old_key = client.get("/v1/keys").json()["keys"]
    finally:
        client.__exit__(None, None, None)
    assert [k["current"] for k in old_key] == [True]

    # The operator rotates: a new key file, same database.
    second = make_settings(auth_enabled=True, signing_key_path=tmp_path / "new.pem", **db)
    client = _client(second)
    try:
        _decide(client, 2)
        ring = client.get("/v1/keys").json()["keys"]
        assert ring[0]["key_id"] == old_key[0]["key_id"]
        assert [k["current"] for k in ring] == [False, True]
        signed_by = [r["integrity"]["key_id"] for r in client.get("/v1/decisions").json()["items"]]
        assert signed_by == [ring[1]["key_id"]] * 2 + [ring[0]["key_id"]] * 2
        report = client.get("/v1/decisions/verify").json()
        assert report == {
            "ok": True,
            "checked": 4,
            "first_bad_id": None,
            "reason": None,
            "exceptions": {"ok": True, "checked": 0, "first_bad_id": None, "reason": None},
        }
        export = tmp_path / "decisions.jsonl"
        export.write_bytes(client.get("/v1/decisions/export").content)
        keys = tmp_path / "keys.json"
        keys.write_text(client.get("/v1/keys").text, encoding="utf-8")
    finally:
        client.__exit__(None, None, None)
    offline = CliRunner().invoke(cli, ["verify", str(export), "--keys", str(keys)])
    assert offline.exit_code == 0, offline.output
    assert json.loads(offline.output)["checked"] == 4

    # Only the new key (what GET /v1/keys used to publish) cannot verify the older records.
    only_new = {"keys": [k for k in json.loads(keys.read_text())["keys"] if k["current"]]}
    keys.write_text(json.dumps(only_new), encoding="utf-8")
    partial = CliRunner().invoke(cli, ["verify", str(export), "--keys", str(keys)])
    assert partial.exit_code == 1


def test_rotated_key_keeps_verifying_its_records_on_sqlite(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _rotate_and_check(make_settings, tmp_path)


@pytest.mark.postgres
def test_rotated_key_keeps_verifying_its_records_on_postgres(  # type: ignore[no-untyped-def]
    make_settings, tmp_path: Path, postgres_url: str
) -> None:
    _rotate_and_check(make_settings, tmp_path, database_url=postgres_url)
    assert_append_only(postgres_url, "signing_keys", update="public_key = 'x'", rows=2)


def test_a_restart_with_the_same_key_registers_it_once(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(auth_enabled=True)
    for _ in range(2):
        client = _client(settings)
        try:
            keys = client.get("/v1/keys").json()["keys"]
        finally:
            client.__exit__(None, None, None)
    assert len(keys) == 1 and keys[0]["current"] is True
