"""`tiergate keys create|list|revoke` on the configured database; the key is the last line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from service.main import create_app
from tests.conftest import decision_request

TIERGATE = str(Path(sys.executable).parent / "tiergate")


def run(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TIERGATE_DATA_DIR": str(data_dir)}
    env.pop("TIERGATE_DATABASE_URL", None)
    return subprocess.run(
        [TIERGATE, "keys", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_create_list_revoke_round_trip(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data_dir = tmp_path / "data"
    created = run(
        ["create", "--role", "submitter", "--role", "auditor", "--name", "portal"], data_dir
    )
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    key_id = key.split(".", 1)[0]
    assert key_id.startswith("tgk_")

    listed = run(["list"], data_dir)
    assert key_id in listed.stdout and "submitter,auditor" in listed.stdout
    assert key not in listed.stdout

    settings = make_settings(auth_enabled=True, data_dir=data_dir, auth_cache_seconds=0)
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {key}"}
        assert (
            client.post("/v1/decisions", json=decision_request(), headers=headers).status_code
            == 201
        )
        assert run(["revoke", key_id], data_dir).returncode == 0
        # cache off: the CLI's revocation takes effect at once in the running server
        assert client.get("/v1/decisions", headers=headers).status_code == 401

    assert "revoked" in run(["list"], data_dir).stdout
    unknown = run(["revoke", "tgk_ffffffff"], data_dir)
    assert unknown.returncode == 1 and "no API key" in unknown.stderr


def test_create_refuses_an_unknown_role(tmp_path: Path) -> None:
    result = run(["create", "--role", "root"], tmp_path / "data")
    assert result.returncode != 0


def test_list_escapes_terminal_codes_in_names(tmp_path: Path) -> None:
    """Issue 9 item 10: a name with ESC sequences printed raw could rewrite the operator's
    terminal (clear it, fake lines). Chinese names stay as they are."""
    data_dir = tmp_path / "data"
    name = "portal\x1b[2J\x1b[1;31mroot\x07 门户"
    assert run(["create", "--role", "auditor", "--name", name], data_dir).returncode == 0
    listed = run(["list"], data_dir).stdout
    assert "\x1b" not in listed and "\x07" not in listed
    assert "portal\\x1b[2J\\x1b[1;31mroot\\x07 门户" in listed
