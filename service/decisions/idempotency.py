"""Idempotency-Key: a retry of the same body returns the original record, the same key with
another body is a conflict, and a key is scoped to the API key that sent it."""

from __future__ import annotations

from service.decisions import chain
from service.decisions.tables import DecisionRow
from service.errors import Conflict


def idempotency_scope(key_id: str | None, idempotency_key: str | None) -> str | None:
    """What the unique idempotency column holds: the Idempotency-Key scoped to the API key
    that sent it (a key reused by another caller is a new request, never their record)."""
    if not idempotency_key:
        return None
    scoped = f"{key_id or ''}\n{idempotency_key}".encode()
    return "scoped:" + chain.sha256_hex(scoped)


def same_body_or_conflict(row: DecisionRow, digest: str) -> DecisionRow:
    """The earlier record's row when this retry has its body; else Conflict."""
    if row.input_sha256 != digest:
        raise Conflict(
            "Idempotency-Key was already used with a different request body "
            f"(decision {row.id}); use a new key for a new request",
            field="Idempotency-Key",
        )
    return row
