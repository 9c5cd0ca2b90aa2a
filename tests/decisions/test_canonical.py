"""Canonical JSON round-trips (issue 9 item 1): every record the service can seal still verifies
after it is stored, loaded, exported and parsed again — online and offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel
from typer.testing import CliRunner

from service.cli import app as cli
from service.decisions import audit, chain, repository, sealing
from service.decisions.signing import SigningKey
from service.decisions.verify import verify_chain
from tests.support.records import json_values, record_skeleton

# The request of issue 9: train_flops comes out as a whole-number float in [2^53, 1e21)
# (6.096e19 with the sizing of the time, 6ND + attention now), which RFC 8785 writes as plain
# digits.
ISSUE_REQUEST = {
    "workload": {"model": {"name": "qwen2.5-7b"}, "task": "full_finetune", "train_tokens": 1e9},
    "context": {"sector": "internet"},
}


def _export_and_keys(client: TestClient, tmp_path: Path) -> tuple[Path, Path]:
    export = tmp_path / "decisions.jsonl"
    export.write_bytes(client.get("/v1/decisions/export?format=jsonl").content)
    keys = tmp_path / "keys.json"
    keys.write_text(client.get("/v1/keys").text, encoding="utf-8")
    return export, keys


def test_the_issue_request_keeps_the_log_verifiable(client: TestClient, tmp_path: Path) -> None:
    created = client.post("/v1/decisions", json=ISSUE_REQUEST)
    assert created.status_code == 201, created.text
    train_flops = created.json()["sizing"]["train_flops"]
    assert 2**53 <= train_flops < 1e21 and float(train_flops).is_integer()

    report = client.get("/v1/decisions/verify")
    assert report.status_code == 200, report.text
    assert report.json() == {
        "ok": True,
        "checked": 1,
        "first_bad_id": None,
        "reason": None,
        "exceptions": {"ok": True, "checked": 0, "first_bad_id": None, "reason": None},
    }

    export, keys = _export_and_keys(client, tmp_path)
    result = CliRunner().invoke(cli, ["verify", str(export), "--keys", str(keys)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "ok": True,
        "checked": 1,
        "first_bad_id": None,
        "reason": None,
    }


def test_a_record_from_the_api_verifies_on_its_own_with_a_plain_json_parser(
    client: TestClient,
) -> None:
    """An auditor's `json.loads` reads 60960000000000000000 as an int; the hash still checks."""
    created = client.post("/v1/decisions", json=ISSUE_REQUEST).json()
    parsed = json.loads(json.dumps(created))
    assert chain.record_hash(chain.content_of(parsed)) == created["integrity"]["hash"]


def _old_export_line(body: str, hash_: str, signature: str) -> str:
    """An export line as the code before issue 9 wrote it: plain json.loads of the body, so a
    whole-number float at or above 2^53 came out as an integer literal."""
    content = json.loads(body)
    content["integrity"] = {**content["integrity"], "hash": hash_, "signature": signature}
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")) + "\n"


def _key() -> SigningKey:
    private = Ed25519PrivateKey.generate()
    return SigningKey(private_key=private, key_id=chain.key_id_of(private.public_key()))


def _engine():  # type: ignore[no-untyped-def]
    """A fresh in-memory SQLite log (one connection, so every session sees the same tables)."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    SQLModel.metadata.create_all(engine)
    repository.ensure_chain_head(engine)
    return engine


def _old_seal_body(content: dict[str, Any]) -> str:
    """What the code before issue 9 stored: rfc8785.dumps of the in-memory record."""
    return rfc8785.dumps(content).decode("utf-8")


def test_records_sealed_by_the_old_code_still_verify(tmp_path: Path) -> None:
    """A log written before the fix (the same RFC 8785 bytes, exported with plain json) verifies
    online and offline with the new code."""
    key = _key()
    engine = _engine()
    record = record_skeleton({"train_flops": 6.096e19, "params": 7.6e9, "big": 2.0**53})
    row = repository.append(engine, seal=sealing.seal(record, key))
    # the stored bytes are exactly what the old code stored
    sealed = {**record, "integrity": {k: v for k, v in json.loads(row.body)["integrity"].items()}}
    assert row.body == _old_seal_body(sealed)
    assert '"train_flops":60960000000000000000' in row.body

    keys = {key.key_id: key.public_key}
    assert audit.verify(engine, keys).ok
    old_line = _old_export_line(row.body, row.hash, row.signature)
    assert '"train_flops":60960000000000000000' in old_line
    export = tmp_path / "old.jsonl"
    export.write_text(old_line, encoding="utf-8")
    keyfile = tmp_path / "keys.json"
    keyfile.write_text(json.dumps({"keys": [key.published()]}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["verify", str(export), "--keys", str(keyfile)])
    assert result.exit_code == 0, result.output


def test_an_integer_beyond_every_double_is_reported_not_raised() -> None:
    """A record edited to hold 10^400 (beyond the largest double) fails verification with a
    reason instead of an exception, offline and through the parser the verifier uses."""
    key = _key()
    record = {**record_skeleton({"n": 1}), "integrity": {"input_sha256": "a" * 64, "seq": 1}}
    record["integrity"]["prev_hash"] = chain.GENESIS_HASH
    record["integrity"]["key_id"] = key.key_id
    digest = chain.record_hash(record)
    record["integrity"] = {
        **record["integrity"],
        "hash": digest,
        "signature": chain.sign(key.private_key, digest),
    }
    record["request"]["extra"]["n"] = 10**400
    for edited in (record, chain.loads(json.dumps(record))):
        result = verify_chain([edited], keys={key.key_id: key.public_key})
        assert (result.ok, result.checked) == (False, 0)
        assert result.reason == (
            "record has no canonical JSON form (an integer beyond the range of a JSON number): "
            "edited"
        )


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(extras=st.lists(st.dictionaries(st.text(), json_values, max_size=6), min_size=1, max_size=3))
def test_seal_store_load_verify_always_holds(extras: list[dict[str, Any]]) -> None:
    key = _key()
    keys = {key.key_id: key.public_key}
    engine = _engine()
    try:
        rows = [
            repository.append(engine, seal=sealing.seal(record_skeleton(extra, number=n), key))
            for n, extra in enumerate(extras, start=1)
        ]
        online = audit.verify(engine, keys)
        assert (online.ok, online.checked) == (True, len(rows)), online
        # offline: the export, parsed by a plain JSON parser and by the verifier's own
        exported = list(audit.export_jsonl(engine))
        for parse in (json.loads, chain.loads):
            offline = verify_chain([parse(line) for line in exported], keys=keys)
            assert (offline.ok, offline.checked) == (True, len(rows)), offline
        # loaded records carry the values that were sealed
        for row, extra in zip(rows, extras, strict=True):
            assert chain.canonical(sealing.record_dict(row)["request"]["extra"]) == (
                chain.canonical(extra)
            )
    finally:
        engine.dispose()


requests = st.fixed_dictionaries(
    {
        "workload": st.fixed_dictionaries(
            {
                "model": st.fixed_dictionaries(
                    {"params_b": st.floats(min_value=0.01, max_value=100_000)}
                ),
                "task": st.sampled_from(["full_finetune", "pretrain", "lora", "inference"]),
                "train_tokens": st.one_of(
                    st.integers(min_value=1, max_value=10**7).map(lambda m: m * 1e9),
                    st.floats(min_value=1, max_value=1e16),
                ),
            },
            optional={
                "name": st.text(min_size=1, max_size=200),
                "deadline_hours": st.floats(min_value=0.5, max_value=100_000),
            },
        ),
        "context": st.fixed_dictionaries(
            {"sector": st.sampled_from(["internet", "finance", "research"])},
            optional={"organization": st.text(max_size=200)},
        ),
    }
)


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=requests)
def test_every_decision_the_api_records_verifies(client: TestClient, body: dict[str, Any]) -> None:
    """Through the API and the real OPA: whatever is recorded, the whole log still verifies."""
    created = client.post("/v1/decisions", json=body)
    assert created.status_code == 201, created.text
    record = created.json()
    assert chain.record_hash(chain.content_of(record)) == record["integrity"]["hash"]
    report = client.get("/v1/decisions/verify").json()
    assert report["ok"] is True, report


# Where Python's JSON encoder and RFC 8785 part ways: whole-number doubles on both sides of 2^53
# and of 1e21, exponents, signed zero, escapes, and key order beyond U+FFFF.
EDGE_VALUES: list[Any] = [
    16.0,
    -0.0,
    9007199254740994.0,
    6.096e19,
    -1.2345678901234568e17,
    1e20,
    1e21,
    1e-5,
    1.5e-7,
    0.0001,
    2**53 - 1,
    {"\ue000": 1, "\U0001f600": 2, "z": 3, "é": 4},
    {'a\x00\x1f"\\\n\t\b\f\r': "\u2028\x7f\u00e9"},
    [[], {}, [1, [2.5, {"k": None}]], True, False],
    (1, 2),
]


@pytest.mark.parametrize("value", EDGE_VALUES, ids=repr)
def test_canonical_writes_the_librarys_bytes_at_the_edges(value: Any) -> None:
    assert chain.canonical(value) == chain.library_canonical(value)


@settings(max_examples=400, deadline=None)
@given(value=st.dictionaries(st.text(), json_values, max_size=8) | json_values)
def test_canonical_writes_the_librarys_bytes_for_any_json(value: Any) -> None:
    """Every record was sealed with the rfc8785 library: the faster encoder must write the
    same bytes, or old records would stop verifying."""
    assert chain.canonical(value) == chain.library_canonical(value)


@settings(max_examples=200, deadline=None)
@given(value=st.dictionaries(st.text(), json_values, max_size=8) | json_values)
def test_canonical_leaves_its_argument_as_it_was(value: Any) -> None:
    """The walk copies only what it converts (copy on write): it must never write into the
    caller's record, whose whole-number doubles stay doubles."""
    before = json.dumps(value, sort_keys=True)
    types_before = _types(value)
    chain.canonical(value)
    assert json.dumps(value, sort_keys=True) == before
    assert _types(value) == types_before


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_types(item) for item in value]
    return type(value).__name__


def test_a_lone_surrogate_is_still_refused() -> None:
    with pytest.raises(chain.NotCanonicalisable):
        chain.canonical({"name": "\ud800"})
