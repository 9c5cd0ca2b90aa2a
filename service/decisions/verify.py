"""Walk a decision chain and check every link, hash and signature.

Works on any iterable of records in chain order, so the API (rows from the database) and
`tiergate verify` (lines of an export) share one implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from service.decisions import chain


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: str | None = None
    reason: str | None = None


def check_record(
    record: Mapping[str, Any],
    *,
    expected_seq: int,
    expected_prev: str,
    keys: Mapping[str, Ed25519PublicKey],
) -> str | None:
    """The first problem with one record, or None when it checks."""
    integrity = record.get("integrity")
    if not isinstance(integrity, dict):
        return "record has no integrity block"
    if integrity.get("seq") != expected_seq:
        return f"expected seq {expected_seq}, found {integrity.get('seq')} (missing or reordered)"
    if integrity.get("prev_hash") != expected_prev:
        return "prev_hash does not link to the previous record"
    try:
        digest = chain.record_hash(chain.content_of(dict(record)))
    except chain.NotCanonicalisable as exc:
        return f"record has no canonical JSON form ({exc}): edited"
    if digest != integrity.get("hash"):
        return "hash does not match the record content (edited)"
    key = keys.get(str(integrity.get("key_id")))
    if key is None:
        return f"unknown signing key {integrity.get('key_id')}"
    if not chain.signature_valid(key, str(integrity["hash"]), str(integrity.get("signature"))):
        return "signature invalid"
    return None


CHECKPOINT_FIELDS = ("seq", "hash", "issued_at", "key_id", "algorithm")


def checkpoint_digest(statement: Mapping[str, Any]) -> str:
    """What a checkpoint's signature covers: sha256 of the RFC 8785 JSON of CHECKPOINT_FIELDS."""
    return chain.record_hash({name: statement[name] for name in CHECKPOINT_FIELDS})


def checkpoint_problem(
    checkpoint: Mapping[str, Any], keys: Mapping[str, Ed25519PublicKey]
) -> str | None:
    """Why a signed checkpoint (GET /v1/decisions/checkpoint) cannot be trusted, or None."""
    if not all(name in checkpoint for name in (*CHECKPOINT_FIELDS, "signature")):
        return f"checkpoint needs the fields {', '.join(CHECKPOINT_FIELDS)} and signature"
    key = keys.get(str(checkpoint["key_id"]))
    if key is None:
        return f"checkpoint signed by unknown key {checkpoint['key_id']}"
    if not chain.signature_valid(key, checkpoint_digest(checkpoint), str(checkpoint["signature"])):
        return "checkpoint signature invalid"
    return None


def verify_chain(
    records: Iterable[Mapping[str, Any]],
    *,
    keys: Mapping[str, Ed25519PublicKey],
    head: tuple[int, str] | None = None,
    checkpoints: Iterable[tuple[int, str]] = (),
    extra_check: Callable[[Mapping[str, Any]], str | None] | None = None,
) -> VerifyResult:
    """Verify records in order. `head` (seq, hash) also catches a deleted tail; each checkpoint
    (seq, hash) an auditor kept must still be in the chain (catches a tail removed together
    with the head, or history rewritten by someone holding a key); `extra_check` lets a store
    add its own per-record check (e.g. index columns)."""
    expected = dict(checkpoints)
    prev = chain.GENESIS_HASH
    checked = 0
    last_id: str | None = None
    for record in records:
        problem = (extra_check(record) if extra_check else None) or check_record(
            record, expected_seq=checked + 1, expected_prev=prev, keys=keys
        )
        if problem:
            return VerifyResult(False, checked, str(record.get("id")), problem)
        checked += 1
        prev = str(record["integrity"]["hash"])
        last_id = str(record.get("id"))
        if expected.get(checked, prev) != prev:
            return VerifyResult(
                False, checked - 1, last_id, f"record {checked} differs from a kept checkpoint"
            )
    missing = sorted(seq for seq in expected if seq > checked)
    if missing:
        return VerifyResult(
            False,
            checked,
            last_id,
            f"a kept checkpoint is at record {missing[-1]} but the chain ends at {checked} "
            "(tail removed)",
        )
    if head is not None and (head[0] != checked or (checked and head[1] != prev)):
        return VerifyResult(
            False,
            checked,
            last_id,
            f"chain head says {head[0]} records but {checked} were found (tail removed?)",
        )
    return VerifyResult(True, checked)
