"""The exception log verified offline: `tiergate verify --exceptions` and the evidence pack."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from service.evidence.verify import verify_pack

from .test_routes import decide, grant


def _exports(client: TestClient, tmp_path: Path) -> tuple[Path, Path, Path]:
    decisions = tmp_path / "decisions.jsonl"
    decisions.write_bytes(client.get("/v1/decisions/export").content)
    exceptions = tmp_path / "exceptions.jsonl"
    response = client.get("/v1/exceptions/export")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    exceptions.write_bytes(response.content)
    keys = tmp_path / "keys.json"
    keys.write_text(client.get("/v1/keys").text, encoding="utf-8")
    return decisions, exceptions, keys


def _verify(*args: Path | str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(cli, ["verify", *map(str, args)])
    return result.exit_code, json.loads(result.output)


def test_cli_verifies_the_exception_log_and_the_citations(
    client: TestClient, tmp_path: Path
) -> None:
    exception = grant(client)
    decide(client)
    client.post(f"/v1/exceptions/{exception['id']}/revoke", json={"reason": "done"})
    decisions, exceptions, keys = _exports(client, tmp_path)

    code, report = _verify(decisions, "--keys", keys, "--exceptions", exceptions)
    assert code == 0, report
    assert report["exceptions"] == {"ok": True, "checked": 2, "first_bad_id": None, "reason": None}

    # without the exception log a record that cites one cannot be checked
    code, report = _verify(decisions, "--keys", keys)
    assert code == 1
    assert "pass --exceptions" in str(report["reason"])

    # an exception entry edited in the export
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_text(
        exceptions.read_text(encoding="utf-8").replace("王立", "张三"), encoding="utf-8"
    )
    code, report = _verify(decisions, "--keys", keys, "--exceptions", tampered)
    assert code == 1
    assert report["exceptions"]["ok"] is False  # type: ignore[index]
    assert report["exceptions"]["first_bad_id"] == exception["id"]  # type: ignore[index]
    assert "hash does not match" in report["exceptions"]["reason"]  # type: ignore[index]
    # and the record citing it no longer finds it
    assert "which the exception log does not hold" in str(report["reason"])


def test_evidence_pack_carries_and_checks_the_exception_log(
    client: TestClient, tmp_path: Path
) -> None:
    exception = grant(client)
    record = decide(client)
    answer = client.get("/v1/evidence", params={"since": "2000-01-01T00:00:00Z"})
    assert answer.status_code == 200, answer.text
    pack = tmp_path / "pack.zip"
    pack.write_bytes(answer.content)
    result = verify_pack(pack)
    assert result.ok, result.problem
    with zipfile.ZipFile(pack) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    (entry,) = [json.loads(line) for line in files["exceptions.jsonl"].decode().splitlines()]
    assert entry["id"] == exception["id"]

    # a forger who removes exceptions.jsonl and its sum is caught by the record's citation
    files.pop("exceptions.jsonl")
    files["SHA256SUMS"] = b"".join(
        line + b"\n"
        for line in files["SHA256SUMS"].splitlines()
        if not line.endswith(b"exceptions.jsonl")
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    dropped = tmp_path / "dropped.zip"
    dropped.write_bytes(buffer.getvalue())
    result = verify_pack(dropped)
    assert not result.ok
    assert str(result.problem) == (
        f"record {record['id']}: cites exception {exception['id']} with entry hash "
        f"{exception['integrity']['hash']}, which the exception log does not hold "
        "(exceptions.jsonl is missing)"
    )
