"""Sealing: an unsealed record's JSON becomes a chained, signed row; a row becomes the record.

The sealed bytes are RFC 8785 JSON of the record with its integrity block (seq, prev_hash,
key_id, algorithm, input_sha256); hash and signature sit beside them (service.decisions.chain).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypedDict

from service.decisions import chain
from service.decisions.index_columns import index_columns
from service.decisions.models import DecisionRecord
from service.decisions.signing import SigningKey
from service.decisions.tables import DecisionRow

ALGORITHM = "ed25519"


def chained(content: Mapping[str, Any], *, seq: int, prev_hash: str, key_id: str) -> dict[str, Any]:
    """What the hash covers: `content` with its place in the chain and its key (in its integrity
    block, beside whatever content puts there, e.g. input_sha256). Both logs seal this way."""
    integrity = {
        **content.get("integrity", {}),
        "seq": seq,
        "prev_hash": prev_hash,
        "key_id": key_id,
        "algorithm": ALGORITHM,
    }
    return {**content, "integrity": integrity}


class SignedBody(TypedDict):
    hash: str
    signature: str
    body: str


def signed_body(chained: Mapping[str, Any], key: SigningKey) -> SignedBody:
    """The stored columns of a chained record: its canonical bytes, their hash and signature.
    Runs under the chain lock: canonicalise once, hash those bytes, store the same bytes."""
    body = chain.canonical(chained)
    digest = chain.sha256_hex(body)
    return SignedBody(
        hash=digest, signature=chain.sign(key.private_key, digest), body=body.decode("utf-8")
    )


def seal(
    content: Mapping[str, Any], key: SigningKey, idempotency_key: str | None = None
) -> Callable[[int, str], DecisionRow]:
    """A `seal(seq, prev_hash)` callback for repository.append_batch (it runs under the chain lock,
    so everything that does not depend on the chain position is prepared before)."""

    def _seal(seq: int, prev_hash: str) -> DecisionRow:
        record = chained(content, seq=seq, prev_hash=prev_hash, key_id=key.key_id)
        return DecisionRow(
            **index_columns(record), **signed_body(record, key), idempotency_key=idempotency_key
        )

    return _seal


def sealed_record(content: Mapping[str, Any], row: DecisionRow) -> dict[str, Any]:
    """The full public record of `content` just sealed into `row`, without parsing the row's
    body back: the same JSON values, so it verifies exactly as the stored body does."""
    record = chained(content, seq=row.seq, prev_hash=row.prev_hash, key_id=row.key_id)
    record["integrity"] |= {"hash": row.hash, "signature": row.signature}
    return record


class SealedRow(Protocol):
    """A stored row of either log."""

    body: str
    hash: str
    signature: str


def record_dict(row: SealedRow) -> dict[str, Any]:
    """The full public record (or exception entry) of a stored row: its sealed body plus hash
    and signature."""
    content = chain.loads(row.body)
    content["integrity"] = {**content["integrity"], "hash": row.hash, "signature": row.signature}
    return dict(content)


def to_record(row: DecisionRow) -> DecisionRecord:
    return DecisionRecord.model_validate(record_dict(row))
