"""The index columns stored beside a sealed record's body, as one map from the record: sealing
fills them from it, and verification checks every column against it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from service.db import as_utc
from service.decisions.tables import DecisionRow


def _rule_ids(record: Mapping[str, Any]) -> str:
    ids = {v["rule_id"] for v in record["violations"]} | {
        o["rule_id"] for o in record["obligations"]
    }
    return " " + " ".join(sorted(ids)) + " "


# The one map from a sealed record to the index columns stored beside its body: seal() fills
# the columns from it and verify checks every column against it, so an edited column (a record
# hidden from a filter or a lookup) cannot pass. `hash` and `signature` are read from their
# columns into the record verify checks, so they are covered by the hash and signature check.
INDEX_COLUMNS: Mapping[str, Callable[[Mapping[str, Any]], Any]] = {
    "seq": lambda record: record["integrity"]["seq"],
    "id": lambda record: record["id"],
    "created_at": lambda record: as_utc(datetime.fromisoformat(record["created_at"])),
    "sector": lambda record: record["request"]["context"]["sector"],
    "verdict": lambda record: record["verdict"],
    "tier": lambda record: record["tier"]["selected"],
    "organization": lambda record: record["request"]["context"].get("organization", ""),
    "rule_ids": _rule_ids,
    "input_sha256": lambda record: record["integrity"]["input_sha256"],
    "prev_hash": lambda record: record["integrity"]["prev_hash"],
    "key_id": lambda record: record["integrity"]["key_id"],
}


def index_columns(record: Mapping[str, Any]) -> dict[str, Any]:
    """The index column values of a sealed record."""
    return {name: column(record) for name, column in INDEX_COLUMNS.items()}


def column_mismatch(row: DecisionRow, record: Mapping[str, Any]) -> str | None:
    """The first index column of `row` that differs from its sealed record, or None."""
    return first_mismatched_column(INDEX_COLUMNS, row, record, "record")


def first_mismatched_column(
    columns: Mapping[str, Callable[[Mapping[str, Any]], Any]],
    row: object,
    sealed_body: Mapping[str, Any],
    noun: str,
) -> str | None:
    """The first of `columns` whose stored value in `row` differs from what the sealed body
    says it indexes, or None (the decision log and the exception log both check this way)."""
    for name, column in columns.items():
        try:
            sealed = column(sealed_body)
        except (KeyError, TypeError, ValueError, AttributeError):
            return f"the sealed {noun} lacks what column {name} indexes"
        stored = getattr(row, name)
        if isinstance(stored, datetime):
            stored = as_utc(stored)
        if stored != sealed:
            return f"column {name} ({stored!r}) differs from the sealed {noun} ({sealed!r})"
    return None
