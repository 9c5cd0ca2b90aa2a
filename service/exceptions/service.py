"""Exception use cases: record, revoke, list, verify; and the active ones a decision considers.

Entries live in their own hash chain (tables.ExceptionEntryRow), signed with the decision log's
key ring; a decision record copies each exception it considered with that entry's hash, so a
replay uses the exceptions as they were and verify can check every citation
(docs/architecture.md, "Approved exceptions").
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine

from service.decisions import chain, sealing
from service.decisions.masking import Masker
from service.decisions.signing import SigningKey
from service.decisions.verify import VerifyResult, verify_chain
from service.errors import Conflict, InvalidInput, NotExceptable, NotFound, StorageUnavailable
from service.exceptions import repository
from service.exceptions.models import ExceptionCreate, ExceptionStatus, RevocationCreate
from service.exceptions.tables import ExceptionEntryRow
from service.observability.metrics import EXCEPTIONS_EXPIRING
from service.policies.models import PolicyException
from service.policies.vocabulary import POLICY_YEARS

# Scope fields that name a request field the record stores masked, and that field's path.
MASKED_SCOPE = {"organization": "context.organization", "workload_name": "workload.name"}


def stamp(value: datetime) -> str:
    """The one text form of an exception's instants: UTC, whole seconds, `Z` (so they also
    compare as text in the policy)."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _check_dates(
    body: ExceptionCreate, *, now: datetime, max_days: int
) -> tuple[datetime, datetime]:
    valid_from = body.valid_from or now.replace(microsecond=0)
    for name, value in (("valid_from", body.valid_from), ("expires_at", body.expires_at)):
        if value is not None and value.microsecond:
            raise InvalidInput(f"{name} must be in whole seconds", field=name)
        if value is not None and value.year not in POLICY_YEARS:
            raise InvalidInput(
                f"{name} must lie in the years {POLICY_YEARS.start} to {POLICY_YEARS.stop - 1}",
                field=name,
            )
    expires_at = body.expires_at
    if expires_at <= valid_from:
        raise InvalidInput(
            f"expires_at ({stamp(expires_at)}) must be after valid_from ({stamp(valid_from)})",
            field="expires_at",
        )
    if expires_at - valid_from > timedelta(days=max_days):
        raise InvalidInput(
            f"expires_at ({stamp(expires_at)}) is more than {max_days} days after valid_from "
            f"({stamp(valid_from)}); an exception is renewed by a new approval, not open-ended "
            "(TIERGATE_EXCEPTION_MAX_DAYS)",
            field="expires_at",
        )
    if expires_at <= now:
        raise InvalidInput(
            f"expires_at ({stamp(expires_at)}) is already past: the exception would never apply",
            field="expires_at",
        )
    return valid_from, expires_at


def _check_rule(rule_id: str, catalogue: list[dict[str, Any]]) -> None:
    entry = next((rule for rule in catalogue if rule.get("rule_id") == rule_id), None)
    if entry is None:
        raise InvalidInput(
            f"unknown rule_id {rule_id}: not a rule of the policy catalogue (GET /v1/policies)",
            field="rule_id",
        )
    if entry.get("exceptable") is False:
        raise NotExceptable(
            f"rule {rule_id} ({entry.get('title')}) cannot be excepted: its METADATA sets "
            "custom.exceptable false because it applies the law itself, not an internal "
            "policy, and no approval inside the organisation can waive the law",
            field="rule_id",
        )
    if entry.get("kind") != "violation":
        raise InvalidInput(
            f"rule {rule_id} is a {entry.get('kind')} rule and never denies: only violation "
            "rules can be excepted",
            field="rule_id",
        )


def _stored_scope(body: ExceptionCreate, masker: Masker) -> tuple[dict[str, Any], list[str]]:
    scope = body.scope.model_dump(mode="json")
    if not any(value is not None for value in scope.values()):
        raise InvalidInput(
            "scope needs at least one of sector, organization, workload_name, accelerator, "
            "tier: an exception for everyone is a policy change, not an exception",
            field="scope",
        )
    masked = []
    for name, path in MASKED_SCOPE.items():
        if scope[name] is not None and path in masker.paths:
            scope[name] = masker.digest(scope[name])
            masked.append(f"scope.{name}")
    return scope, masked


def _seal(content: Mapping[str, Any], key: SigningKey) -> Callable[[int, str], ExceptionEntryRow]:
    """A `seal(seq, prev_hash)` callback for repository.append (runs under the chain lock),
    sealing as the decision log does."""

    def _sealed(seq: int, prev_hash: str) -> ExceptionEntryRow:
        entry = sealing.chained(content, seq=seq, prev_hash=prev_hash, key_id=key.key_id)
        return ExceptionEntryRow(
            **repository.index_columns(entry), **sealing.signed_body(entry, key)
        )

    return _sealed


def record(
    db: Engine,
    body: ExceptionCreate,
    *,
    catalogue: list[dict[str, Any]],
    signing_key: SigningKey,
    masker: Masker,
    max_days: int,
    recorded_by: dict[str, str | None],
    now: datetime,
) -> dict[str, Any]:
    """Check and seal an approved exception; return the entry as stored."""
    _check_rule(body.rule_id, catalogue)
    valid_from, expires_at = _check_dates(body, now=now, max_days=max_days)
    scope, masked = _stored_scope(body, masker)
    content = {
        "id": str(uuid.uuid4()),
        "kind": repository.EXCEPTION,
        "created_at": now.isoformat(),
        "rule_id": body.rule_id,
        "scope": scope,
        "masked_fields": masked,
        "reason": body.reason,
        "approved_by": body.approved_by,
        "reference": body.reference,
        "valid_from": stamp(valid_from),
        "expires_at": stamp(expires_at),
        "recorded_by": recorded_by,
    }
    return sealing.record_dict(repository.append(db, seal=_seal(content, signing_key)))


def revoke(
    db: Engine,
    exception_id: str,
    body: RevocationCreate,
    *,
    signing_key: SigningKey,
    recorded_by: dict[str, str | None],
    now: datetime,
) -> dict[str, Any]:
    """Seal the revocation of an exception; from now on no decision considers it."""
    granted = repository.get(db, exception_id)
    if granted is None or granted.kind != repository.EXCEPTION:
        raise NotFound(f"no exception with id {exception_id}", field="exception_id")
    content = {
        "id": str(uuid.uuid4()),
        "kind": repository.REVOCATION,
        "created_at": now.isoformat(),
        "exception_id": exception_id,
        "reason": body.reason,
        "recorded_by": recorded_by,
    }
    try:
        row = repository.append(db, seal=_seal(content, signing_key))
    except repository.AlreadyRevoked:
        raise Conflict(
            f"exception {exception_id} is already revoked", field="exception_id"
        ) from None
    return sealing.record_dict(row)


def status(exception: Mapping[str, Any], revoked: bool, now: datetime) -> ExceptionStatus:
    if revoked:
        return "revoked"
    if now < datetime.fromisoformat(exception["valid_from"]):
        return "pending"
    if now >= datetime.fromisoformat(exception["expires_at"]):
        return "expired"
    return "active"


def list_exceptions(
    db: Engine, *, filters: repository.ExceptionFilter, limit: int, now: datetime
) -> dict[str, Any]:
    """An ExceptionPage: each exception as sealed, its revocation as sealed, its status now."""
    items = []
    for row, revocation in repository.list_exceptions(db, filters=filters, limit=limit):
        exception = sealing.record_dict(row)
        items.append(
            {
                "exception": exception,
                "revocation": sealing.record_dict(revocation) if revocation else None,
                "status": status(exception, revocation is not None, now),
            }
        )
    return {"items": items}


def active_for(db: Engine, at: datetime) -> list[tuple[PolicyException, str]]:
    """The exceptions a decision evaluated at `at` considers, each with its entry's hash (the
    record cites it). Read from the sealed bodies, not the index columns, and each body checked
    against its hash: an edited entry stops every decision (fail closed) until it is found."""
    return [
        (_checked_exception(entry_id, entry_hash, body), entry_hash)
        for entry_id, entry_hash, body in repository.active_for_decisions(db, at)
    ]


@functools.lru_cache(maxsize=1024)
def _checked_exception(entry_id: str, entry_hash: str, body: str) -> PolicyException:
    """A sealed body checked against its hash and parsed, once per (id, hash, body): the same
    bytes always give the same answer, and a failure is not cached (an edited body fails every
    decision that reads it)."""
    if chain.sha256_hex(body.encode("utf-8")) != entry_hash:
        raise StorageUnavailable(
            f"exception log entry {entry_id} does not match its hash (edited?); no decision "
            "is made until GET /v1/decisions/verify passes"
        )
    return PolicyException.model_validate(chain.loads(body))


EXPIRING_SOON = timedelta(days=30)


def expiring_soon(db: Engine, now: datetime) -> dict[str, Any]:
    """An ExceptionPage of the exceptions in force now that expire within 30 days, soonest
    first (the auditor dashboard)."""
    page = list_exceptions(
        db,
        filters=repository.ExceptionFilter(active_at=now, expiring_before=now + EXPIRING_SOON),
        limit=500,
        now=now,
    )
    page["items"].sort(key=lambda item: item["exception"]["expires_at"])
    return page


def refresh_expiring_gauge(db: Engine) -> None:
    """Set the /metrics gauge of exceptions expiring within 30 days (a scrape hook)."""
    now = datetime.now(UTC)
    EXCEPTIONS_EXPIRING.set(repository.count_expiring(db, now=now, before=now + EXPIRING_SOON))


def export_rows(db: Engine) -> Iterator[dict[str, Any]]:
    """Every entry as sealed, chain order."""
    for row in repository.iterate_in_order(db):
        yield sealing.record_dict(row)


def verify(db: Engine, keys: Mapping[str, Ed25519PublicKey]) -> VerifyResult:
    """Walk the exception log: links, hashes, signatures, index columns and its head."""
    current: dict[str, ExceptionEntryRow] = {}

    def entries() -> Iterator[dict[str, Any]]:
        for row in repository.iterate_in_order(db):
            current["row"] = row
            yield sealing.record_dict(row)

    head = repository.chain_head(db)
    return verify_chain(
        entries(),
        keys=keys,
        head=(head.seq, head.hash) if head else None,
        extra_check=lambda entry: repository.column_mismatch(current["row"], entry),
    )


def hashes(db: Engine) -> dict[str, str]:
    """Entry hash → exception id of every exception granted (what decision records cite)."""
    return {
        row.hash: row.id
        for row in repository.iterate_in_order(db)
        if row.kind == repository.EXCEPTION
    }
