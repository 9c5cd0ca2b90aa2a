"""Evaluate one decision: size → evaluate (OPA) → combine → persist → return.

Verdicts come only from the policy; this module sizes, asks, picks the cheapest compliant plan
the policy allows, and seals the record. Nothing is returned that was not stored first.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions import chain, repository
from service.decisions.models import (
    DecisionRecord,
    DecisionRequest,
    Parallelism,
    Recommendation,
)
from service.decisions.signing import SigningKey
from service.decisions.tables import DecisionRow
from service.errors import NotFound, PolicyEngineUnavailable
from service.opa.client import PolicyAnswer, PolicyEngine
from service.policies.models import Candidate, PolicyContext, PolicyDecision, PolicyInput
from service.sizing.catalog import Catalog
from service.sizing.models import PlanOption, SizingResult
from service.sizing.service import resource_form, size

ALTERNATIVES = 3


def input_digest(request: DecisionRequest) -> str:
    return chain.sha256_hex(chain.canonical(request.model_dump(mode="json")))


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
        parallelism=Parallelism.model_validate(option.parallelism.model_dump()),
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


def build_record(
    *,
    decision_id: str,
    request: DecisionRequest,
    request_id: str | None,
    now: datetime,
    evaluation_time: datetime,
    sizing: SizingResult,
    answer: PolicyAnswer,
    decision: PolicyDecision,
) -> dict[str, Any]:
    """The record without its chain fields (seq, prev_hash, hash, signature)."""
    recommendation, alternatives = choose_plans(request, sizing, decision)
    return {
        "id": decision_id,
        "created_at": now.isoformat(),
        "evaluation_time": evaluation_time.isoformat(),
        "request_id": request_id,
        "request": request.model_dump(mode="json"),
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
        "integrity": {"input_sha256": input_digest(request)},
    }


def seal(record: dict[str, Any], key: SigningKey) -> Any:
    """A `seal(seq, prev_hash)` callback for repository.append."""

    def _seal(seq: int, prev_hash: str) -> DecisionRow:
        integrity = {
            **record["integrity"],
            "seq": seq,
            "prev_hash": prev_hash,
            "key_id": key.key_id,
            "algorithm": "ed25519",
        }
        content = {**record, "integrity": integrity}
        digest = chain.record_hash(content)
        rule_ids = sorted({v["rule_id"] for v in record["violations"]} | {
            o["rule_id"] for o in record["obligations"]
        })
        return DecisionRow(
            seq=seq,
            id=record["id"],
            created_at=datetime.fromisoformat(record["created_at"]),
            sector=record["request"]["context"]["sector"],
            verdict=record["verdict"],
            tier=record["tier"]["selected"],
            organization=record["request"]["context"].get("organization", ""),
            rule_ids=" " + " ".join(rule_ids) + " ",
            input_sha256=integrity["input_sha256"],
            prev_hash=prev_hash,
            hash=digest,
            signature=chain.sign(key.private_key, digest),
            key_id=key.key_id,
            body=chain.canonical(content).decode("utf-8"),
        )

    return _seal


def to_record(row: DecisionRow) -> DecisionRecord:
    content = _loads(row.body)
    content["integrity"] = {**content["integrity"], "hash": row.hash, "signature": row.signature}
    return DecisionRecord.model_validate(content)


def _loads(body: str) -> dict[str, Any]:
    import json

    value = json.loads(body)
    if not isinstance(value, dict):
        raise ValueError("stored decision body is not an object")
    return value


async def evaluate(
    request: DecisionRequest,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
    db: Engine,
    signing_key: SigningKey,
    request_id: str | None = None,
) -> DecisionRecord:
    """Size, ask the policy, combine, persist; return the stored record."""
    now = datetime.now(UTC)
    evaluation_time = request.context.evaluation_time or now
    sizing = size(request.workload, catalog=catalog)
    answer = await policy_engine.decide(
        policy_input(request, sizing, evaluation_time).model_dump(mode="json")
    )
    decision = parse_decision(answer)
    record = build_record(
        decision_id=str(uuid.uuid4()),
        request=request,
        request_id=request_id,
        now=now,
        evaluation_time=evaluation_time,
        sizing=sizing,
        answer=answer,
        decision=decision,
    )
    row = await run_in_threadpool(repository.append, db, seal=seal(record, signing_key))
    return to_record(row)


def get(db: Engine, decision_id: str) -> DecisionRecord:
    row = repository.get(db, decision_id)
    if row is None:
        raise NotFound(f"no decision with id {decision_id}", field="id")
    return to_record(row)
