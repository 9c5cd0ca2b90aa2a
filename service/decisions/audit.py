"""What auditors ask of the stored log: verify it, a signed checkpoint of its head, exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine

from service.decisions import chain, repository
from service.decisions.index_columns import column_mismatch
from service.decisions.sealing import ALGORITHM, record_dict
from service.decisions.signing import SigningKey
from service.decisions.tables import DecisionRow
from service.decisions.verify import VerifyResult, checkpoint_digest, verify_chain
from service.exceptions import service as exceptions


def cited_exception_problem(
    record: Mapping[str, Any], exception_hashes: Mapping[str, str]
) -> str | None:
    """Why a record's exceptions_considered do not match the exception log (entry hash → the
    exception's id), or None: a record cannot cite an exception that was never recorded."""
    for cited in record.get("exceptions_considered") or []:
        if not isinstance(cited, dict):
            return "exceptions_considered holds a value that is not an exception"
        if exception_hashes.get(str(cited.get("entry_hash"))) != cited.get("id"):
            return (
                f"cites exception {cited.get('id')} with entry hash {cited.get('entry_hash')}, "
                "which the exception log does not hold"
            )
    return None


@dataclass(frozen=True)
class LogsVerified:
    """Both logs: the decision chain (with its citations of exceptions) and the exception log."""

    decisions: VerifyResult
    exceptions: VerifyResult

    @property
    def ok(self) -> bool:
        return self.decisions.ok and self.exceptions.ok

    @property
    def checked(self) -> int:
        """Decision records checked (the exception log's count is in `exceptions`)."""
        return self.decisions.checked

    @property
    def first_bad_id(self) -> str | None:
        """The first record, or else exception log entry, that fails."""
        return (
            self.decisions.first_bad_id if not self.decisions.ok else self.exceptions.first_bad_id
        )

    @property
    def reason(self) -> str | None:
        if not self.decisions.ok:
            return self.decisions.reason
        return f"exception log: {self.exceptions.reason}" if not self.exceptions.ok else None


def verify(db: Engine, keys: Mapping[str, Ed25519PublicKey]) -> VerifyResult:
    """Walk the stored chain in order (bounded memory) and check every record, and that every
    exception a record cites is in the exception log."""
    current: dict[str, DecisionRow] = {}
    exception_hashes = exceptions.hashes(db)

    def records() -> Iterator[dict[str, Any]]:
        for row in repository.iterate_in_order(db):
            current["row"] = row
            yield record_dict(row)

    def cited(record: Mapping[str, Any]) -> str | None:
        if cited_exception_problem(record, exception_hashes) is None:
            return None
        exception_hashes.update(exceptions.hashes(db))  # recorded since the walk began?
        return cited_exception_problem(record, exception_hashes)

    head = repository.chain_head(db)
    return verify_chain(
        records(),
        keys=keys,
        head=(head.seq, head.hash) if head else None,
        extra_check=lambda record: column_mismatch(current["row"], record) or cited(record),
    )


def verify_with_key_ring(db: Engine) -> LogsVerified:
    """Both logs, with every key of the key ring (rotated keys and other replicas' keys)."""
    keys = {
        row.key_id: chain.public_key_from_b64(row.public_key) for row in repository.signing_keys(db)
    }
    return LogsVerified(decisions=verify(db, keys), exceptions=exceptions.verify(db, keys))


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
