"""Evaluate one decision: size → evaluate (OPA) → combine → persist → return.

Verdicts come only from the policy; this module sizes, asks, picks the cheapest compliant plan
the policy allows, and seals the record. Nothing is returned that was not stored first.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions import chain, repository
from service.decisions.masking import Masker
from service.decisions.models import (
    DecisionRecord,
    DecisionRequest,
    FieldChange,
    Recommendation,
    ReplayReport,
    RuleChange,
)
from service.decisions.signing import SigningKey
from service.decisions.tables import DecisionRow
from service.decisions.verify import VerifyResult, checkpoint_digest, verify_chain
from service.errors import Conflict, Forbidden, InvalidInput, NotFound, PolicyEngineUnavailable
from service.opa.client import PolicyAnswer, PolicyEngine
from service.policies.models import Candidate, PolicyContext, PolicyDecision, PolicyInput
from service.sizing.catalog import Catalog
from service.sizing.models import PlanOption, SizingResult
from service.sizing.service import resource_form, size

ALTERNATIVES = 3
NO_MASKING = Masker(salt=b"", paths=())


def input_digest(request: DecisionRequest, masker: Masker) -> str:
    """sha256 of the RFC 8785 JSON of the request *as stored*: masked fields are salted HMACs,
    so the digest reveals no more than the record does (an unsalted hash over the clear request
    let organisation and workload names be guessed back), and anyone can recompute it from
    the record's `request`."""
    stored, _ = masker.mask(request.model_dump(mode="json"))
    return chain.sha256_hex(chain.canonical(stored))


def idempotency_scope(key_id: str | None, idempotency_key: str | None) -> str | None:
    """What the unique idempotency column holds: the Idempotency-Key scoped to the API key
    that sent it (a key reused by another caller is a new request, never their record)."""
    if not idempotency_key:
        return None
    scoped = f"{key_id or ''}\n{idempotency_key}".encode()
    return "scoped:" + chain.sha256_hex(scoped)


def policy_input(
    request: DecisionRequest, sizing: SizingResult, evaluation_time: datetime
) -> PolicyInput:
    context = PolicyContext.model_validate(
        {
            **request.context.model_dump(mode="json"),
            "evaluation_time": evaluation_time.isoformat().replace("+00:00", "Z"),
        }
    )
    candidates = [
        Candidate(accelerator=o.accelerator, count=o.count, nodes=o.nodes) for o in sizing.options
    ]
    return PolicyInput(workload=request.workload, context=context, candidates=candidates)


def parse_decision(answer: PolicyAnswer) -> PolicyDecision:
    try:
        return PolicyDecision.model_validate(answer.result)
    except ValidationError as exc:
        raise PolicyEngineUnavailable(
            f"policy engine returned a decision of the wrong shape ({exc.error_count()} errors)"
        ) from exc


def _recommend(option: PlanOption, *, tier: str, request: DecisionRequest) -> Recommendation:
    return Recommendation(
        accelerator=option.accelerator,
        count=option.count,
        nodes=option.nodes,
        resource_form=resource_form(option, tier=tier, workload=request.workload),
        parallelism=option.parallelism,
        offload=str(option.offload),
        memory_per_device_gb=option.memory_per_device_gb,
        estimated_hours=option.estimated_hours,
        cost_usd=option.cost_usd,
    )


def choose_plans(
    request: DecisionRequest, sizing: SizingResult, decision: PolicyDecision
) -> tuple[Recommendation | None, list[Recommendation]]:
    """The requested accelerator when the policy allows it and it fits, else the cheapest
    allowed plan; then the next cheapest allowed plans as alternatives."""
    allowed = set(decision.accelerators.allowed)
    compliant = [o for o in sizing.options if o.accelerator in allowed]
    requested = request.context.requested_accelerator
    compliant.sort(key=lambda o: o.accelerator != requested)  # stable: keeps price order
    tier = decision.tier.selected.value
    plans = [_recommend(o, tier=tier, request=request) for o in compliant[: 1 + ALTERNATIVES]]
    return (plans[0] if plans else None), plans[1:]


def sizing_summary(sizing: SizingResult) -> dict[str, Any]:
    return sizing.model_dump(mode="json", exclude={"options"})


TimeSource = Literal["server", "client"]


def evaluation_instant(
    requested: datetime | None, *, now: datetime, skew: timedelta, may_backdate: bool
) -> tuple[datetime, TimeSource]:
    """When a recorded decision is evaluated, and who set that time. The server's clock unless
    the client sent a time: within `skew` of the clock that is any client's to send, further
    off only a key with role backdate may send (a backdated time could dodge a phase-in)."""
    if requested is None:
        return now, "server"
    if abs(requested - now) > skew and not may_backdate:
        raise Forbidden(
            f"evaluation_time {requested.isoformat()} is more than {skew.total_seconds():g} s "
            "from the server's clock; only a key with role backdate may decide at another time "
            "(leave the field out to decide now, or replay a stored decision)",
            field="context.evaluation_time",
        )
    return requested, "client"


def build_record(
    *,
    decision_id: str,
    request: DecisionRequest,
    request_id: str | None,
    now: datetime,
    evaluation_time: datetime,
    evaluation_time_source: TimeSource | None,
    sizing: SizingResult,
    answer: PolicyAnswer,
    decision: PolicyDecision,
    masker: Masker,
    input_sha256: str,
    submitted_by: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """The record without its chain fields (seq, prev_hash, hash, signature)."""
    recommendation, alternatives = choose_plans(request, sizing, decision)
    stored_request, masked_fields = masker.mask(request.model_dump(mode="json"))
    return {
        "id": decision_id,
        "created_at": now.isoformat(),
        "evaluation_time": evaluation_time.isoformat(),
        **({"evaluation_time_source": evaluation_time_source} if evaluation_time_source else {}),
        "request_id": request_id,
        "submitted_by": submitted_by or {"key_id": None, "key_name": None},
        "request": stored_request,
        "masked_fields": masked_fields,
        "verdict": decision.verdict.value,
        "tier": decision.tier.model_dump(mode="json"),
        "domestic_substitution": decision.domestic_substitution.model_dump(mode="json"),
        "recommendation": recommendation.model_dump(mode="json") if recommendation else None,
        "alternatives": [a.model_dump(mode="json") for a in alternatives],
        "accelerators": decision.accelerators.model_dump(mode="json"),
        "sizing": sizing_summary(sizing),
        "violations": [v.model_dump(mode="json") for v in decision.violations],
        "obligations": [o.model_dump(mode="json") for o in decision.obligations],
        "policy": {
            "revision": answer.revision,
            "engine": "opa",
            "engine_version": answer.engine_version,
            "decision_id": answer.decision_id,
        },
        "integrity": {"input_sha256": input_sha256},
    }


def seal(
    record: dict[str, Any], key: SigningKey, idempotency_key: str | None = None
) -> Callable[[int, str], DecisionRow]:
    """A `seal(seq, prev_hash)` callback for repository.append (it runs under the chain lock,
    so everything that does not depend on the chain position is prepared before)."""

    def _seal(seq: int, prev_hash: str) -> DecisionRow:
        integrity = {
            **record["integrity"],
            "seq": seq,
            "prev_hash": prev_hash,
            "key_id": key.key_id,
            "algorithm": "ed25519",
        }
        content = {**record, "integrity": integrity}
        # Runs under the chain lock: canonicalise once, hash those bytes, store the same bytes.
        body = chain.canonical(content)
        digest = chain.sha256_hex(body)
        return DecisionRow(
            **repository.index_columns(content),
            hash=digest,
            signature=chain.sign(key.private_key, digest),
            body=body.decode("utf-8"),
            idempotency_key=idempotency_key,
        )

    return _seal


def record_dict(row: DecisionRow) -> dict[str, Any]:
    """The full public record of a row: its sealed body plus hash and signature."""
    content = chain.loads(row.body)
    content["integrity"] = {**content["integrity"], "hash": row.hash, "signature": row.signature}
    return dict(content)


def to_record(row: DecisionRow) -> DecisionRecord:
    return DecisionRecord.model_validate(record_dict(row))


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


def checkpoint(db: Engine, key: SigningKey, now: datetime) -> dict[str, Any]:
    """A signed statement of the chain head (seq, hash) for auditors to keep: a later export
    must still contain that record with that hash (`tiergate verify --checkpoint`)."""
    head = repository.chain_head(db)
    content = {
        "seq": head.seq if head else 0,
        "hash": head.hash if head else chain.GENESIS_HASH,
        "issued_at": now.isoformat().replace("+00:00", "Z"),
        "key_id": key.key_id,
        "algorithm": "ed25519",
    }
    return {**content, "signature": chain.sign(key.private_key, checkpoint_digest(content))}


def verify_with_key_ring(db: Engine) -> VerifyResult:
    """verify() with every key of the log's key ring (rotated keys and other replicas' keys)."""
    keys = {
        row.key_id: chain.public_key_from_b64(row.public_key) for row in repository.signing_keys(db)
    }
    return verify(db, keys)


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


EXPORT_COLUMNS = (
    "seq",
    "id",
    "created_at",
    "sector",
    "verdict",
    "tier",
    "organization",
    "rule_ids",
    "input_sha256",
    "prev_hash",
    "hash",
    "signature",
    "key_id",
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


@dataclass(frozen=True)
class Evaluation:
    sizing: SizingResult
    answer: PolicyAnswer
    decision: PolicyDecision


async def _evaluate(
    request: DecisionRequest,
    evaluation_time: datetime,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
) -> Evaluation:
    sizing = size(request.workload, catalog=catalog)
    answer = await policy_engine.decide(
        policy_input(request, sizing, evaluation_time).model_dump(mode="json")
    )
    return Evaluation(sizing=sizing, answer=answer, decision=parse_decision(answer))


async def evaluate(
    request: DecisionRequest,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
    db: Engine,
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
    digest = input_digest(request, masker)
    idempotency_key = idempotency_scope(caller_key_id, idempotency_key)
    if idempotency_key:
        earlier = await run_in_threadpool(repository.get_by_idempotency_key, db, idempotency_key)
        if earlier is not None:
            return Created(_same_body_or_conflict(earlier, digest), replayed=True)
    now = datetime.now(UTC)
    evaluation_time, source = evaluation_instant(
        request.context.evaluation_time, now=now, skew=clock_skew, may_backdate=may_backdate
    )
    evaluation = await _evaluate(
        request, evaluation_time, policy_engine=policy_engine, catalog=catalog
    )
    record = build_record(
        decision_id=str(uuid.uuid4()),
        request=request,
        request_id=request_id,
        now=now,
        evaluation_time=evaluation_time,
        evaluation_time_source=source,
        sizing=evaluation.sizing,
        answer=evaluation.answer,
        decision=evaluation.decision,
        masker=masker,
        input_sha256=digest,
        submitted_by=submitted_by,
    )
    try:
        row = await run_in_threadpool(
            repository.append, db, seal=seal(record, signing_key, idempotency_key)
        )
    except repository.DuplicateIdempotencyKey:
        # A concurrent retry with the same key committed first: answer as a retry would.
        assert idempotency_key is not None
        earlier = await run_in_threadpool(repository.get_by_idempotency_key, db, idempotency_key)
        if earlier is None:  # pragma: no cover - the unique index just said it exists
            raise
        return Created(_same_body_or_conflict(earlier, digest), replayed=True)
    return Created(record_dict(row), replayed=False)


async def replay(
    db: Engine,
    decision_id: str,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
) -> ReplayReport:
    """Re-evaluate a stored request at its own evaluation time under the current policy and
    sizing; report what would change, rule by rule. Nothing is written."""
    stored = await run_in_threadpool(get, db, decision_id)
    request = DecisionRequest.model_validate(stored.request)
    evaluation = await _evaluate(
        request, stored.evaluation_time, policy_engine=policy_engine, catalog=catalog
    )
    now = DecisionRecord.model_validate(
        {
            **build_record(
                decision_id=stored.id,
                request=request,
                request_id=stored.request_id,
                now=stored.created_at,
                evaluation_time=stored.evaluation_time,
                evaluation_time_source=stored.evaluation_time_source,
                sizing=evaluation.sizing,
                answer=evaluation.answer,
                decision=evaluation.decision,
                masker=NO_MASKING,  # the stored request is already masked
                input_sha256=stored.integrity.input_sha256,
                submitted_by=stored.submitted_by.model_dump() if stored.submitted_by else None,
            ),
            "integrity": stored.integrity.model_dump(),
        }
    )
    return compare(stored, now)


def compare(before: DecisionRecord, after: DecisionRecord) -> ReplayReport:
    fields: list[FieldChange] = []
    for name, old, new in (
        ("verdict", before.verdict, after.verdict),
        ("tier.minimum", before.tier.minimum, after.tier.minimum),
        ("tier.selected", before.tier.selected, after.tier.selected),
        ("tier.allowed", before.tier.allowed, after.tier.allowed),
        (
            "domestic_substitution.required",
            before.domestic_substitution.required,
            after.domestic_substitution.required,
        ),
        ("recommendation", _plan(before.recommendation), _plan(after.recommendation)),
    ):
        if old != new:
            fields.append(FieldChange(field=name, before=_jsonable(old), after=_jsonable(new)))
    rules = _rule_changes(
        [v.model_dump() for v in before.violations] + [o.model_dump() for o in before.obligations],
        [v.model_dump() for v in after.violations] + [o.model_dump() for o in after.obligations],
    )
    return ReplayReport(
        decision_id=before.id,
        evaluation_time=before.evaluation_time,
        stored_revision=before.policy.revision,
        current_revision=after.policy.revision,
        changed=bool(fields or rules),
        fields=fields,
        rules=rules,
    )


def _plan(recommendation: Recommendation | None) -> dict[str, Any] | None:
    if recommendation is None:
        return None
    return {
        "accelerator": recommendation.accelerator,
        "count": recommendation.count,
        "nodes": recommendation.nodes,
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value.value if hasattr(value, "value") else value


def _rule_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[RuleChange]:
    def by_rule(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            grouped.setdefault(str(item["rule_id"]), []).append(item)
        return {k: sorted(v, key=chain.canonical) for k, v in grouped.items()}

    old, new = by_rule(before), by_rule(after)
    changes = []
    for rule_id in sorted(old.keys() | new.keys()):
        if rule_id not in new:
            change = "removed"
        elif rule_id not in old:
            change = "added"
        elif old[rule_id] != new[rule_id]:
            change = "changed"
        else:
            continue
        changes.append(
            RuleChange(
                rule_id=rule_id,
                change=change,
                before=old.get(rule_id, []),
                after=new.get(rule_id, []),
            )
        )
    return changes


@dataclass(frozen=True)
class Created:
    """The stored record exactly as sealed (the JSON its hash covers, plus hash and signature)."""

    record: dict[str, Any]
    replayed: bool


def _same_body_or_conflict(row: DecisionRow, digest: str) -> dict[str, Any]:
    if row.input_sha256 != digest:
        raise Conflict(
            "Idempotency-Key was already used with a different request body "
            f"(decision {row.id}); use a new key for a new request",
            field="Idempotency-Key",
        )
    return record_dict(row)


def get(db: Engine, decision_id: str) -> DecisionRecord:
    return to_record(_row(db, decision_id))


def get_sealed(db: Engine, decision_id: str) -> dict[str, Any]:
    """The record as sealed, for the API (it verifies on its own, unlike a re-serialised model)."""
    return record_dict(_row(db, decision_id))


def _row(db: Engine, decision_id: str) -> DecisionRow:
    row = repository.get(db, decision_id)
    if row is None:
        raise NotFound(f"no decision with id {decision_id}", field="id")
    return row
