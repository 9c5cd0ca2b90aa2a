"""What auditors ask of the stored log: verify it, a signed checkpoint of its head, exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine

from service.decisions import chain, repository
from service.decisions.sealing import ALGORITHM, record_dict
from service.decisions.signing import SigningKey
from service.decisions.tables import DecisionRow
from service.decisions.verify import VerifyResult, checkpoint_digest, verify_chain


def verify(db: Engine, keys: Mapping[str, Ed25519PublicKey]) -> VerifyResult:
    """Walk the stored chain in order (bounded memory) and check every record."""
    current: dict[str, DecisionRow] = {}

    def records() -> Iterator[dict[str, Any]]:
        for row in repository.iterate_in_order(db):
            current["row"] = row
            yield record_dict(row)

    head = repository.chain_head(db)
    return verify_chain(
        records(),
        keys=keys,
        head=(head.seq, head.hash) if head else None,
        extra_check=lambda record: repository.column_mismatch(current["row"], record),
    )


def verify_with_key_ring(db: Engine) -> VerifyResult:
    """verify() with every key of the log's key ring (rotated keys and other replicas' keys)."""
    keys = {
        row.key_id: chain.public_key_from_b64(row.public_key) for row in repository.signing_keys(db)
    }
    return verify(db, keys)


def checkpoint(db: Engine, key: SigningKey, now: datetime) -> dict[str, Any]:
    """A signed statement of the chain head (seq, hash) for auditors to keep: a later export
    must still contain that record with that hash (`tiergate verify --checkpoint`)."""
    head = repository.chain_head(db)
    content = {
        "seq": head.seq if head else 0,
        "hash": head.hash if head else chain.GENESIS_HASH,
        "issued_at": now.isoformat().replace("+00:00", "Z"),
        "key_id": key.key_id,
        "algorithm": ALGORITHM,
    }
    return {**content, "signature": chain.sign(key.private_key, checkpoint_digest(content))}


# The CSV export is the row's columns in table order, without the sealed body (the JSONL
# export carries it) and the caller-scoped idempotency digest (not part of the record).
EXPORT_COLUMNS = tuple(
    name for name in DecisionRow.model_fields if name not in ("body", "idempotency_key")
)


def export_jsonl(db: Engine) -> Iterator[str]:
    """One full record per line, chain order; streamed a batch at a time."""
    for row in repository.iterate_in_order(db):
        yield json.dumps(record_dict(row), ensure_ascii=False, separators=(",", ":")) + "\n"


def export_csv(db: Engine) -> Iterator[str]:
    """The index columns of every record (for spreadsheets; verify uses the JSONL export)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for row in repository.iterate_in_order(db):
        values = [getattr(row, name) for name in EXPORT_COLUMNS]
        values[EXPORT_COLUMNS.index("rule_ids")] = row.rule_ids.strip()
        writer.writerow(values)
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
