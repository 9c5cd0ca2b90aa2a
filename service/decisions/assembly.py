"""Record assembly: from a request, its sizing and the policy's answer to the unsealed record.

Pure — no database, no OPA, no clock — so choosing plans and building a record are unit-tested
without either. The record is built once, typed; its JSON (`UnsealedRecord.content`) is what
sealing hashes and stores and what the API answers with.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from service.decisions import chain
from service.decisions.masking import Masker
from service.decisions.models import (
    ConsideredException,
    DecisionRequest,
    PolicyProvenance,
    Recommendation,
)
from service.errors import Forbidden, PolicyEngineUnavailable
from service.opa.client import PolicyAnswer
from service.policies.models import PolicyDecision, RuleExplanation
from service.sizing.models import PlanOption, SizingResult
from service.sizing.service import resource_form

ALTERNATIVES = 3

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


@dataclass(frozen=True)
class SerialisedRequest:
    """The request's JSON, made once per decision. `clear` is what the policy is asked about;
    `stored` is what the record keeps (masked fields as salted digests); `input_sha256` is
    sha256 of the RFC 8785 JSON of `stored`, so the digest reveals no more than the record
    does (an unsalted hash over the clear request let organisation and workload names be
    guessed back), and anyone can recompute it from the record's `request`."""

    clear: dict[str, Any]
    stored: dict[str, Any]
    masked_fields: list[str]
    input_sha256: str


def serialise_request(request: DecisionRequest, masker: Masker) -> SerialisedRequest:
    """Serialise and mask the request once; the policy input, the digest and the record all
    use the result."""
    clear = request.model_dump(mode="json")
    stored, masked_fields = masker.mask(clear)  # a masked copy: `clear` stays as it is
    return SerialisedRequest(
        clear, stored, masked_fields, chain.sha256_hex(chain.canonical(stored))
    )


def exception_subject(stored_request: Mapping[str, Any]) -> dict[str, str]:
    """What an exception's scope names the request by: its organisation and workload name as
    the record stores them (salted digests where masked), so a replay, which only has the
    stored request, matches exactly as the original decision did."""
    return {
        "organization": str(stored_request["context"].get("organization", "")),
        "workload_name": str(stored_request["workload"].get("name", "")),
    }


def policy_input(
    request_json: Mapping[str, Any],
    sizing: SizingResult,
    evaluation_time: datetime,
    *,
    stored_request: Mapping[str, Any] | None = None,
    exceptions: list[ConsideredException] | None = None,
) -> dict[str, Any]:
    """`input` of the decision entry point, built from the request's JSON without validating
    it again; `PolicyInput` is its schema (a test holds the two together). `exceptions` (with
    the stored request they are matched against) only when there are any."""
    extra: dict[str, Any] = {}
    if exceptions:
        assert stored_request is not None
        extra["exceptions"] = {
            "subject": exception_subject(stored_request),
            "active": [e.model_dump(mode="json", exclude={"entry_hash"}) for e in exceptions],
        }
    return {
        **extra,
        "workload": request_json["workload"],
        "context": {
            **request_json["context"],
            "evaluation_time": evaluation_time.isoformat().replace("+00:00", "Z"),
        },
        "candidates": [
            {"accelerator": o.accelerator, "count": o.count, "nodes": o.nodes}
            for o in sizing.options
        ],
    }


def parse_decision(answer: PolicyAnswer) -> PolicyDecision:
    try:
        return PolicyDecision.model_validate(answer.result)
    except ValidationError as exc:
        raise PolicyEngineUnavailable(
            f"policy engine returned a decision of the wrong shape ({exc.error_count()} errors)"
        ) from exc


def parse_explanations(answer: PolicyAnswer) -> list[RuleExplanation]:
    """The rules' explanations of a dry run with explain=true; a wrong shape is an engine
    failure like a wrong decision (503), never an answer without them."""
    try:
        return _EXPLANATIONS.validate_python(answer.explanations)
    except ValidationError as exc:
        raise PolicyEngineUnavailable(
            f"policy engine returned explanations of the wrong shape ({exc.error_count()} errors)"
        ) from exc


_EXPLANATIONS = TypeAdapter(list[RuleExplanation])


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


@dataclass(frozen=True)
class Evaluation:
    """What the sizing engine and the policy said about one request."""

    sizing: SizingResult
    answer: PolicyAnswer
    decision: PolicyDecision


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
