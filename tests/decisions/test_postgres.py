"""The decision log on a real PostgreSQL: same code, append-only table, concurrent writers."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from service.main import create_app
from tests import serving
from tests.conftest import decision_request
from tests.support.postgres import assert_append_only

pytestmark = pytest.mark.postgres


def test_decisions_on_postgres_verify(make_settings, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(database_url=postgres_url))) as client:
        ids = [client.post("/v1/decisions", json=decision_request()).json()["id"] for _ in range(3)]
        assert client.get(f"/v1/decisions/{ids[1]}").status_code == 200
        report = client.get("/v1/decisions/verify").json()
        assert report == {
            "ok": True,
            "checked": 3,
            "first_bad_id": None,
            "reason": None,
            "exceptions": {"ok": True, "checked": 0, "first_bad_id": None, "reason": None},
        }
        page = client.get("/v1/decisions?sector=finance&limit=2").json()
        assert [r["id"] for r in page["items"]] == [ids[2], ids[1]]
        since = client.get(f"/v1/decisions/{ids[1]}").json()["created_at"]
        recent = client.get("/v1/decisions", params={"since": since}).json()["items"]
        assert [r["id"] for r in recent] == [ids[2], ids[1]]


def test_postgres_table_refuses_update_and_delete(make_settings, postgres_url: str) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings(database_url=postgres_url))) as client:
        assert client.post("/v1/decisions", json=decision_request()).status_code == 201
    assert_append_only(postgres_url, "decisions", update="verdict = 'allow'", rows=1)


def test_two_processes_with_concurrent_writers_keep_one_valid_chain(
    postgres_url: str, opa_url: str, tmp_path: Path
) -> None:
    # One database and one data dir (one signing key) for both processes, each on its own port;
    # with API keys, so each record seals who submitted it.
    envs = [
        serving.serve_env(tmp_path, opa_url, database_url=postgres_url, auth_enabled="true")
        for _ in range(2)
    ]
    created_key = subprocess.run(
        [serving.TIERGATE, "keys", "create", "--role", "submitter", "--role", "auditor"],
        env=envs[0],
        check=True,
        capture_output=True,
        text=True,
    )
    headers = {"Authorization": f"Bearer {created_key.stdout.strip().splitlines()[-1]}"}
    urls = [serving.base_url(env) for env in envs]
    # Started together, then each waited for: a start can take most of a minute on a loaded box.
    servers = [serving.spawn(env, "--workers", "2", ready=False) for env in envs]
    try:
        for url, server in zip(urls, servers, strict=True):
            serving.wait_ready(url, server)

        def fire(worker: int) -> list[int]:
            with httpx.Client(base_url=urls[worker % 2], timeout=30, headers=headers) as http:
                return [
                    http.post("/v1/decisions", json=decision_request()).status_code
                    for _ in range(6)
                ]

        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = [s for batch in pool.map(fire, range(16)) for s in batch]
        created = statuses.count(201)
        assert created == len(statuses), statuses

        with httpx.Client(base_url=urls[0], timeout=60, headers=headers) as http:
            report = http.get("/v1/decisions/verify").json()
        assert report["ok"] is True, report
        assert report["checked"] == created
        engine = create_engine(postgres_url)
        with engine.connect() as connection:
            assert (
                connection.execute(text("SELECT count(*) FROM decisions")).scalar_one() == created
            )
            seqs = [
                r[0] for r in connection.execute(text("SELECT seq FROM decisions ORDER BY seq"))
            ]
        engine.dispose()
        assert seqs == list(range(1, created + 1))
    finally:
        for server in servers:
            serving.stop(server)
