"""service.decisions.sealing: a record is sealed into the bytes it always was; sealed_json, the
record the API sends, is the stored body with hash and signature added, never re-serialised, and
a row whose columns disagree with its body is sent as the body says (the long way), still as
valid JSON."""

from __future__ import annotations

import json
from typing import NoReturn

import pytest
from sqlalchemy import Engine, insert, text

from service.decisions import chain, repository, sealing
from service.decisions.signing import SigningKey
from service.decisions.tables import DecisionRow
from tests.support.records import record_skeleton


def _stored(engine: Engine, key: SigningKey) -> DecisionRow:
    record = record_skeleton({"note": "示例", "ratio": 16.0, "nested": {"integrity": {"x": 1}}})
    row = repository.append(engine, seal=sealing.seal(record, key))
    loaded = repository.get(engine, row.id)
    assert loaded is not None
    return loaded


def test_the_sent_record_is_the_sealed_body_with_hash_and_signature(
    migrated_log: Engine, key: SigningKey
) -> None:
    row = _stored(migrated_log, key)
    sent = sealing.sealed_json(row)
    assert chain.loads(sent) == sealing.record_dict(row)
    # the sealed bytes around the integrity block are sent as they are (not written again:
    # 16.0 stays 16, as the canonical text has it)
    head, _, rest = row.body.partition('"integrity":')
    tail = rest.partition("}")[2]
    text = sent.decode("utf-8")
    assert text.startswith(head) and text.endswith(tail) and '"ratio":16}' in tail
    integrity = chain.loads(sent)["integrity"]
    assert (integrity["hash"], integrity["signature"]) == (row.hash, row.signature)
    assert chain.record_hash(chain.content_of(chain.loads(sent))) == row.hash


def test_a_stored_row_is_sent_without_parsing_its_body(
    migrated_log: Engine, key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sealed_json finds the integrity block seal() wrote, because one definition builds both
    (sealing.integrity_block): a second copy that drifted would send every record the long way
    (parsed and written again, what sealed_json exists to avoid), and no output would show it."""
    row = _stored(migrated_log, key)

    def the_long_way(_: object) -> NoReturn:
        raise AssertionError("sealed_json parsed the body of a row as stored")

    monkeypatch.setattr(sealing, "record_dict", the_long_way)
    assert chain.loads(sealing.sealed_json(row))["integrity"]["hash"] == row.hash


def test_a_row_whose_columns_disagree_is_sent_as_its_body_says(
    migrated_log: Engine, key: SigningKey
) -> None:
    row = _stored(migrated_log, key)
    edited = row.model_copy(update={"prev_hash": "f" * 64, "signature": 'bad"sig'})
    sent = json.loads(sealing.sealed_json(edited))
    assert sent == sealing.record_dict(edited)
    assert sent["integrity"]["prev_hash"] == row.prev_hash  # the body's, not the column's
    assert sent["integrity"]["signature"] == 'bad"sig'


def test_a_quote_in_a_stored_signature_column_keeps_the_json_valid(
    migrated_log: Engine, key: SigningKey
) -> None:
    row = _stored(migrated_log, key)
    edited = row.model_copy(update={"signature": 'x","verdict":"allow'})
    assert json.loads(sealing.sealed_json(edited))["integrity"]["signature"] == (
        'x","verdict":"allow'
    )


def test_an_appended_row_is_stored_as_sqlalchemy_itself_stores_it(
    migrated_log: Engine, key: SigningKey
) -> None:
    """The append runs on the driver (service.db.run_on_driver): every column must reach the
    database in the form SQLAlchemy's own INSERT gives it (created_at as SQLite's text form in
    UTC, not the driver's default rendering of an aware datetime), or range filters and
    readers of older rows would meet two formats."""
    appended = _stored(migrated_log, key)
    through_core = appended.model_copy(
        update={"seq": appended.seq + 1000, "id": "core", "hash": "c" * 64}
    )
    with migrated_log.begin() as connection:
        connection.execute(insert(DecisionRow.__table__), [through_core.model_dump()])  # type: ignore[attr-defined]
    with migrated_log.connect() as connection:
        stored: dict[str, str] = dict(
            connection.execute(text("SELECT id, CAST(created_at AS TEXT) FROM decisions")).all()
        )
    assert stored[appended.id] == stored["core"]


def test_a_record_is_sealed_into_the_bytes_it_always_was() -> None:
    """The sealed integrity block (one definition: sealing.integrity_block) and so the hashed
    bytes are those of the code before it was one definition (edb1060): a changed field set
    would make every new record hash differently from what the same content hashed to before."""
    record = record_skeleton({"note": "示例", "ratio": 16.0})
    body = chain.canonical(
        sealing.chained(record, seq=7, prev_hash="b" * 64, key_id="golden-key")
    ).decode("utf-8")
    block = (
        f'"integrity":{{"algorithm":"ed25519","input_sha256":"{"a" * 64}",'
        f'"key_id":"golden-key","prev_hash":"{"b" * 64}","seq":7}}'
    )
    assert block in body
    assert chain.sha256_hex(body.encode("utf-8")) == (
        "a96a41313e4bf1a21229d7e901246a18fcb83730030ee391879e91b678fdaf2d"
    )
