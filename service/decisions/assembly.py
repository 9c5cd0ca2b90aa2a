"""Record assembly: from a request, its sizing and the policy's answer to the unsealed record.

Pure — no database, no OPA, no clock — so choosing plans and building a record are unit-tested
without either. The record is built once, typed; its JSON (`UnsealedRecord.content`) is what
sealing hashes and stores and what the API answers with. What the policy is asked, and how its
answer is read, is service.decisions.policy_query.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.decisions.models import (
    ConsideredException,
    DecisionRequest,
    PolicyProvenance,
    Recommendation,
)
from service.decisions.policy_query import Evaluation, SerialisedRequest, TimeSource
from service.policies.models import PolicyDecision
from service.sizing.models import PlanOption, SizingResult
from service.sizing.service import resource_forms

ALTERNATIVES = 3


def _recommend(option: PlanOption, form: str) -> Recommendation:
    return Recommendation(
        accelerator=option.accelerator,
        count=option.count,
        nodes=option.nodes,
        resource_form=form,
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
    chosen = compliant[: 1 + ALTERNATIVES]
    forms = resource_forms(chosen, tier=tier, workload=request.workload)
    plans = [_recommend(o, form) for o, form in zip(chosen, forms, strict=True)]
    return (plans[0] if plans else None), plans[1:]


@dataclass(frozen=True)
class UnsealedRecord:
    """One decision before sealing (no seq, prev_hash, hash or signature yet); a dry run's
    has no id (it is never sealed)."""

    id: str | None
    created_at: datetime
    evaluation_time: datetime
    evaluation_time_source: TimeSource | None
    request_id: str | None
    submitted_by: dict[str, str | None] | None
    request: SerialisedRequest
    decision: PolicyDecision
    recommendation: Recommendation | None
    alternatives: list[Recommendation]
    sizing: SizingResult
    policy: PolicyProvenance
    exceptions_considered: list[ConsideredException] = dataclasses.field(default_factory=list)

    def content(self) -> dict[str, Any]:
        """The record's JSON as sealed (times as `isoformat()`, as every stored record has
        them; `evaluation_time_source` only when known; the exceptions only when there were
        any, and `excepted` only on a violation waived, so records without exceptions keep the
        shape of those sealed before exceptions existed)."""
        return {
            "id": self.id,
            **self.outcome(),
            "integrity": {"input_sha256": self.request.input_sha256},
        }

    def outcome(self) -> dict[str, Any]:
        """The record's JSON without id and integrity: what a dry run answers (never sealed)."""
        decision = self.decision.model_dump(mode="json")
        source = self.evaluation_time_source
        exceptions = (
            {
                "exceptions_considered": [
                    e.model_dump(mode="json") for e in self.exceptions_considered
                ],
                "exceptions_applied": decision["exceptions_applied"],
            }
            if self.exceptions_considered
            else {}
        )
        return {
            "created_at": self.created_at.isoformat(),
            "evaluation_time": self.evaluation_time.isoformat(),
            **({"evaluation_time_source": source} if source else {}),
            "request_id": self.request_id,
            "submitted_by": self.submitted_by or {"key_id": None, "key_name": None},
            "request": self.request.stored,
            "masked_fields": self.request.masked_fields,
            "verdict": decision["verdict"],
            "tier": decision["tier"],
            "domestic_substitution": decision["domestic_substitution"],
            "recommendation": (
                self.recommendation.model_dump(mode="json") if self.recommendation else None
            ),
            "alternatives": [a.model_dump(mode="json") for a in self.alternatives],
            "accelerators": decision["accelerators"],
            "sizing": self.sizing.model_dump(mode="json", exclude={"options"}),
            "violations": [
                v.model_dump(mode="json", exclude_none=True) for v in self.decision.violations
            ],
            "obligations": decision["obligations"],
            **exceptions,
            "policy": self.policy.model_dump(mode="json"),
        }


def build_record(
    *,
    decision_id: str | None,
    request: DecisionRequest,
    serialised: SerialisedRequest,
    request_id: str | None,
    now: datetime,
    evaluation_time: datetime,
    evaluation_time_source: TimeSource | None,
    evaluation: Evaluation,
    submitted_by: dict[str, str | None] | None = None,
    exceptions_considered: list[ConsideredException] | None = None,
) -> UnsealedRecord:
    """Combine the sizing and the policy's decision into the record: the plans it allows."""
    decision, answer = evaluation.decision, evaluation.answer
    recommendation, alternatives = choose_plans(request, evaluation.sizing, decision)
    return UnsealedRecord(
        id=decision_id,
        created_at=now,
        evaluation_time=evaluation_time,
        evaluation_time_source=evaluation_time_source,
        request_id=request_id,
        submitted_by=submitted_by,
        request=serialised,
        decision=decision,
        recommendation=recommendation,
        alternatives=alternatives,
        sizing=evaluation.sizing,
        policy=PolicyProvenance(
            revision=answer.revision,
            engine="opa",
            engine_version=answer.engine_version,
            decision_id=answer.decision_id,
        ),
        exceptions_considered=exceptions_considered or [],
    )
