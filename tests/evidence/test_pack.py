"""Evidence packs: a fresh pack verifies offline; each kind of tampering is named."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from service.evidence.verify import verify_pack
from tests.conftest import decision_request


@pytest.fixture
def pack(client: TestClient, tmp_path: Path) -> Path:
    for sector in ("finance", "healthcare", "defense", "internet"):
        created = client.post("/v1/decisions", json=decision_request(sector=sector))
        assert created.status_code == 201, created.text
    client.get("/v1/decisions/verify")  # an audit event inside the period
    answer = client.get("/v1/evidence", params={"since": "2000-01-01T00:00:00Z"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert "attachment" in answer.headers["content-disposition"]
    path = tmp_path / "pack.zip"
    path.write_bytes(answer.content)
    return path


def _files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rewrite(path: Path, change: Callable[[dict[str, bytes]], None], *, resum: bool = True) -> Path:
    """Apply `change` to the pack's files; recompute SHA256SUMS as a forger would."""
    files = _files(path)
    change(files)
    if resum:
        files["SHA256SUMS"] = "".join(
            f"{hashlib.sha256(data).hexdigest()}  {name}\n"
            for name, data in sorted(files.items())
            if name != "SHA256SUMS"
        ).encode()
    out = path.with_name("tampered.zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    out.write_bytes(buffer.getvalue())
    return out


def _lines(files: dict[str, bytes]) -> list[dict[str, object]]:
    return [json.loads(line) for line in files["records.jsonl"].decode().splitlines()]


def _set_lines(files: dict[str, bytes], records: list[dict[str, object]]) -> None:
    files["records.jsonl"] = "".join(
        json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records
    ).encode()


def test_pack_layout_and_contents(pack: Path) -> None:
    files = _files(pack)
    assert {
        "records.jsonl",
        "keys.json",
        "checkpoint.json",
        "manifest.json",
        "policies/revisions.json",
        "rules.json",
        "audit-events.jsonl",
        "exceptions.jsonl",
        "summary.html",
        "README.txt",
        "SHA256SUMS",
    } <= set(files)
    records = _lines(files)
    assert [r["integrity"]["seq"] for r in records] == [1, 2, 3, 4]  # type: ignore[index]
    manifest = json.loads(files["manifest.json"])
    assert manifest["records"] == {"first_seq": 1, "last_seq": 4, "in_period": 4}
    revisions = json.loads(files["policies/revisions.json"])["revisions"]
    assert len(revisions) == 1 and revisions[0]["records"] == 4 and revisions[0]["archived"]
    revision = revisions[0]["revision"]
    assert any(n.startswith(f"policies/{revision}/") and n.endswith(".rego") for n in files)
    assert any(r["rule_id"] for r in json.loads(files["rules.json"])["rules"])
    events = [json.loads(x) for x in files["audit-events.jsonl"].decode().splitlines()]
    # the download itself is on record before the pack is built
    assert [e["action"] for e in events] == ["decisions.verify", "evidence.download"]
    summary = files["summary.html"].decode()
    assert "证据包摘要" in summary and "Evidence pack summary" in summary
    assert "金融" in summary and "<svg" in summary and "tiergate 0.1.0" in summary
    assert "T00:00:00" not in summary  # dates written for people, not RFC 3339
    assert "sha256sum -c SHA256SUMS" in files["README.txt"].decode()


def test_fresh_pack_verifies_with_the_cli(pack: Path, client: TestClient, tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text(client.get("/v1/keys").text)
    result = CliRunner().invoke(cli, ["verify-evidence", str(pack), "--keys", str(keys)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.splitlines()[0])
    assert report == {"ok": True, "checked": 4, "reason": None, "keys": "given"}


def test_pack_of_a_later_period_starts_at_the_anchor_record(
    client: TestClient, tmp_path: Path
) -> None:
    first = [client.post("/v1/decisions", json=decision_request()).json() for _ in range(3)]
    answer = client.get("/v1/evidence", params={"since": first[2]["created_at"]})
    path = tmp_path / "later.zip"
    path.write_bytes(answer.content)
    records = _lines(_files(path))
    assert [r["integrity"]["seq"] for r in records] == [2, 3]  # type: ignore[index]
    assert json.loads(_files(path)["manifest.json"])["records"]["in_period"] == 1
    assert verify_pack(path).ok


def test_edited_record_is_named(pack: Path) -> None:
    def edit(files: dict[str, bytes]) -> None:
        records = _lines(files)
        records[1]["verdict"] = "allow" if records[1]["verdict"] == "deny" else "deny"
        _set_lines(files, records)

    result = verify_pack(_rewrite(pack, edit))
    assert not result.ok
    assert "(seq 2)" in str(result.problem) and "edited" in str(result.problem)


def test_removed_record_is_named(pack: Path) -> None:
    def remove(files: dict[str, bytes]) -> None:
        records = _lines(files)
        _set_lines(files, records[:2] + records[3:])

    result = verify_pack(_rewrite(pack, remove))
    assert not result.ok
    assert "expected seq 3, found 4" in str(result.problem)


def test_removed_last_record_is_named(pack: Path) -> None:
    result = verify_pack(_rewrite(pack, lambda f: _set_lines(f, _lines(f)[:-1])))
    assert not result.ok
    assert "signed manifest says 1–4" in str(result.problem)


def test_changed_sum_is_named(pack: Path) -> None:
    def change(files: dict[str, bytes]) -> None:
        lines = files["SHA256SUMS"].decode().splitlines()
        lines = [("0" * 64 + line[64:]) if line.endswith("  keys.json") else line for line in lines]
        files["SHA256SUMS"] = ("\n".join(lines) + "\n").encode()

    result = verify_pack(_rewrite(pack, change, resum=False))
    assert result.problem == "keys.json does not match its sum in SHA256SUMS"


def test_forged_checkpoint_is_named(pack: Path) -> None:
    def forge(files: dict[str, bytes]) -> None:
        statement = json.loads(files["checkpoint.json"])
        statement["seq"] = 9
        files["checkpoint.json"] = json.dumps(statement).encode()

    result = verify_pack(_rewrite(pack, forge))
    assert result.problem == "checkpoint.json: checkpoint signature invalid"


def test_swapped_audit_events_are_named(pack: Path) -> None:
    def swap(files: dict[str, bytes]) -> None:
        files["audit-events.jsonl"] = b""

    result = verify_pack(_rewrite(pack, swap))
    assert (
        result.problem == "audit-events.jsonl differs from the digest in the signed manifest.json"
    )


def test_cli_names_the_failure_and_exits_1(pack: Path) -> None:
    tampered = _rewrite(pack, lambda f: _set_lines(f, _lines(f)[1:]))
    result = CliRunner().invoke(cli, ["verify-evidence", str(tampered)])
    assert result.exit_code == 1
    report = json.loads(result.output.splitlines()[0])
    assert report["ok"] is False and "records removed or added" in report["reason"]


def test_not_a_zip_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_text("hello")
    assert verify_pack(path).problem == "x.zip is not a ZIP file"


def test_empty_period_gives_an_empty_pack_that_verifies(client: TestClient, tmp_path: Path) -> None:
    client.post("/v1/decisions", json=decision_request())
    answer = client.get(
        "/v1/evidence", params={"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}
    )
    assert answer.status_code == 200
    path = tmp_path / "empty.zip"
    path.write_bytes(answer.content)
    files = _files(path)
    assert files["records.jsonl"] == b""
    assert json.loads(files["checkpoint.json"])["seq"] == 0
    result = verify_pack(path)
    assert result.ok and result.checked == 0


def test_cli_refuses_a_keys_file_that_is_not_a_key_set(pack: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    keys.write_text('{"not": "keys"}')
    result = CliRunner().invoke(cli, ["verify-evidence", str(pack), "--keys", str(keys)])
    assert result.exit_code == 1
    assert "keys.json is not a GET /v1/keys answer" in json.loads(result.output)["reason"]


def test_pack_checked_against_other_keys_fails(pack: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from service.decisions.chain import key_id_of

    other = Ed25519PrivateKey.generate().public_key()
    result = verify_pack(pack, keys={key_id_of(other): other})
    assert not result.ok and "manifest.json is signed by unknown key" in str(result.problem)
