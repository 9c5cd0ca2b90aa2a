"""The decision use cases: evaluate (decide → seal → store), dry_run (decide, then nothing
stored), get, list.

The decide step (exceptions, sizing, the policy, assembly) is service.decisions.decide; this
module seals and stores what it builds. Nothing is returned as a decision that was not stored
first; a dry run's answer says `stored: false` and carries no id.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions import repository
from service.decisions.decide import decide
from service.decisions.group_commit import GroupCommit
from service.decisions.idempotency import idempotency_scope, same_body_or_conflict
from service.decisions.masking import Masker
from service.decisions.models import DecisionRecord, DecisionRequest
from service.decisions.policy_query import evaluation_instant, parse_explanations, serialise_request
from service.decisions.sealing import record_dict, seal, sealed_json, to_record
from service.decisions.signing import SigningKey
from service.decisions.tables import DecisionRow
from service.errors import InvalidInput, NotFound
from service.opa.client import PolicyEngine
from service.sizing.catalog import Catalog


@dataclass(frozen=True)
class Created:
    """The stored record: its row, and whether it was stored by an earlier request with the same
    Idempotency-Key (a retry)."""

    row: DecisionRow
    replayed: bool

    @property
    def json(self) -> bytes:
        """The record exactly as sealed (the JSON its hash covers, plus hash and signature)."""
        return sealed_json(self.row)

    @property
    def record(self) -> dict[str, Any]:
        """The same record parsed."""
        return record_dict(self.row)


async def evaluate(
    request: DecisionRequest,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
    db: Engine,
    group_commit: GroupCommit,
    signing_key: SigningKey,
    masker: Masker,
    clock_skew: timedelta,
    may_backdate: bool,
    caller_key_id: str | None = None,
    request_id: str | None = None,
    idempotency_key: str | None = None,
    submitted_by: dict[str, str | None] | None = None,
) -> Created:
    """Size, ask the policy, combine, persist; return the stored record.

    With an idempotency key, a retry of the same body returns the original record instead of
    deciding again, and the same key with another body is a conflict.
    """
    serialised = serialise_request(request, masker)
    digest = serialised.input_sha256
    idempotency_key = idempotency_scope(caller_key_id, idempotency_key)
    if idempotency_key:
        earlier = await run_in_threadpool(repository.get_by_idempotency_key, db, idempotency_key)
        if earlier is not None:
            return Created(same_body_or_conflict(earlier, digest), replayed=True)
    now = datetime.now(UTC)
    evaluation_time, source = evaluation_instant(
        request.context.evaluation_time, now=now, skew=clock_skew, may_backdate=may_backdate
    )
    record, _ = await decide(
        request,
        serialised,
        now=now,
        at=(evaluation_time, source),
        decision_id=str(uuid.uuid4()),
        request_id=request_id,
        submitted_by=submitted_by,
        db=db,
        policy_engine=policy_engine,
        catalog=catalog,
    )
    content = record.content()
    try:
        # Committed with whatever other decisions are waiting (group_commit): one fsync
        sealer = seal(content, signing_key, idempotency_key)
        row = await group_commit.append(sealer, idempotency_key)
    except repository.DuplicateIdempotencyKey:
        # A concurrent retry with the same key committed first: answer as a retry would.
        assert idempotency_key is not None
        earlier = await run_in_threadpool(repository.get_by_idempotency_key, db, idempotency_key)
        if earlier is None:  # pragma: no cover - the append just found it committed
            raise
        return Created(same_body_or_conflict(earlier, digest), replayed=True)
    return Created(row, replayed=False)


async def dry_run(
    request: DecisionRequest,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
    masker: Masker,
    db: Engine,
    explain: bool = False,
    request_id: str | None = None,
    submitted_by: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """Decide as evaluate() does and store nothing: the record's content without id and
    integrity, `stored: false`, and with `explain` every rule's explanation.

    The client's evaluation_time is taken whatever it is (a preview of a phase-in is the
    point; a backdated dry run decides nothing), otherwise the server's clock. The approved
    exceptions active at that time are considered, as a recorded decision would."""
    serialised = serialise_request(request, masker)
    now = datetime.now(UTC)
    evaluation_time, source = evaluation_instant(
        request.context.evaluation_time, now=now, skew=timedelta(0), may_backdate=True
    )
    record, evaluation = await decide(
        request,
        serialised,
        now=now,
        at=(evaluation_time, source),
        decision_id=None,
        request_id=request_id,
        submitted_by=submitted_by,
        db=db,
        policy_engine=policy_engine,
        catalog=catalog,
        explain=explain,
    )
    outcome = record.outcome()
    outcome["stored"] = False
    if explain:
        explanations = parse_explanations(evaluation.answer)
        outcome["explanations"] = [e.model_dump(mode="json") for e in explanations]
    return outcome


def get(db: Engine, decision_id: str) -> DecisionRecord:
    return to_record(_row(db, decision_id))


def get_sealed(db: Engine, decision_id: str) -> bytes:
    """The record's JSON as sealed, for the API (it verifies on its own, unlike a re-serialised
    model)."""
    return sealed_json(_row(db, decision_id))


def _row(db: Engine, decision_id: str) -> DecisionRow:
    row = repository.get(db, decision_id)
    if row is None:
        raise NotFound(f"no decision with id {decision_id}", field="id")
    return row


def list_decisions(
    db: Engine,
    *,
    filters: repository.DecisionFilter,
    limit: int,
    cursor: str | None,
    masker: Masker,
) -> dict[str, Any]:
    """A DecisionPage of records as sealed."""
    before = _parse_cursor(cursor)
    if filters.organization and "context.organization" in masker.paths:
        # stored as a salted digest: compare digests
        filters = dataclasses.replace(filters, organization=masker.digest(filters.organization))
    rows = repository.list_page(db, filters=filters, limit=limit + 1, before_seq=before)
    page = rows[:limit]
    next_cursor = str(page[-1].seq) if len(rows) > limit and page else None
    return {"items": [record_dict(r) for r in page], "next_cursor": next_cursor}


def _parse_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    if not cursor.isdigit() or len(cursor) > 18:
        raise InvalidInput("cursor must be the next_cursor of a previous page", field="cursor")
    return int(cursor)
