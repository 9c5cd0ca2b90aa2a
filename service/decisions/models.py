"""Request and record models of `POST /v1/decisions`, the public contract: openapi/ and schemas/
are generated from them (docs/architecture.md, "One decision")."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from service.policies.models import PolicyException, RuleExplanation
from service.policies.vocabulary import (
    AppliedException,
    Context,
    DomesticSubstitution,
    Obligation,
    TierOutcome,
    Verdict,
    Violation,
)
from service.sizing.models import Parallelism
from service.workloads.models import Workload


class DecisionRequest(BaseModel):
    """Body of POST /v1/decisions."""

    model_config = ConfigDict(extra="forbid")

    workload: Workload
    context: Context


class Recommendation(BaseModel):
    accelerator: str
    count: int
    nodes: int
    resource_form: str
    parallelism: Parallelism
    offload: str = "none"
    memory_per_device_gb: float
    estimated_hours: float | None
    cost_usd: float | None = None


class PolicyProvenance(BaseModel):
    revision: str
    engine: str = "opa"
    engine_version: str
    decision_id: str | None


class Integrity(BaseModel):
    seq: int
    input_sha256: str
    prev_hash: str
    hash: str
    signature: str
    key_id: str
    algorithm: str = "ed25519"


class SubmittedBy(BaseModel):
    """The API key that asked for a decision, sealed into the record (MLPS audit records name
    the user). Both null when the service runs with authentication off."""

    key_id: str | None
    key_name: str | None


class ConsideredException(PolicyException):
    """An approved exception the policy was given for a decision, as the exception log held it."""

    entry_hash: str = Field(description="integrity.hash of its entry in the exception log.")


class DecisionOutcome(BaseModel):
    """What was asked, what was decided and why: a stored record without its id and tamper
    evidence (DecisionRecord), or the answer of a dry run (DryRun)."""

    created_at: datetime
    evaluation_time: datetime
    evaluation_time_source: Literal["server", "client"] | None = Field(
        default=None,
        description="Who set evaluation_time: the server's clock, or the client (within the "
        "allowed skew, or a key with role backdate). Absent on records sealed before it existed.",
    )
    request_id: str | None = None
    submitted_by: SubmittedBy | None = Field(
        default=None, description="Who asked (absent only in records sealed before it existed)."
    )
    request: dict[str, Any] = Field(
        description="The request as validated, defaults filled; masked fields as digests."
    )
    masked_fields: list[str] = Field(
        default_factory=list, description="Request fields stored as salted digests."
    )
    verdict: Verdict
    tier: TierOutcome
    domestic_substitution: DomesticSubstitution
    recommendation: Recommendation | None
    alternatives: list[Recommendation]
    accelerators: dict[str, Any] = Field(
        description="Catalogue accelerators the policy allows, and those it excludes with the "
        "rules that exclude each (`allowed`, `excluded`)."
    )
    sizing: dict[str, Any]
    violations: list[Violation]
    obligations: list[Obligation]
    exceptions_considered: list[ConsideredException] | None = Field(
        default=None,
        description="The approved exceptions active at the evaluation time that the policy was "
        "given (replay gives it the same ones). Absent when there were none.",
    )
    exceptions_applied: list[AppliedException] | None = Field(
        default=None,
        description="Those of exceptions_considered that waived a violation (each violation "
        "waived is marked `excepted`). Absent when no exception was considered.",
    )
    policy: PolicyProvenance


class DecisionRecord(DecisionOutcome):
    """One stored decision: what was asked, what was decided, why, and its tamper evidence.

    The API sends records exactly as sealed (see sealing.record_dict), so each one verifies on
    its own: sha256 of the RFC 8785 JSON without integrity.hash/.signature is integrity.hash.
    """

    id: str
    integrity: Integrity


class DryRun(DecisionOutcome):
    """The answer of a dry run (POST /v1/evaluations): decided like POST /v1/decisions, but
    stored nowhere — no id, no integrity, no row, no chain link."""

    stored: Literal[False] = Field(
        description="Always false: nothing was recorded; POST /v1/decisions records a decision."
    )
    evaluation_time_source: Literal["server", "client"] = Field(
        description="Who set evaluation_time: the client (any instant is accepted in a dry run, "
        "e.g. one in the future to preview a phase-in), else the server's clock."
    )
    explanations: list[RuleExplanation] | None = Field(
        default=None,
        description="With ?explain=true: every catalogue rule, whether it fired and what it "
        "emitted, or why it did not (en + zh), from the policy itself.",
    )


class DecisionPage(BaseModel):
    items: list[DecisionRecord]
    next_cursor: str | None


class FieldChange(BaseModel):
    field: str
    before: Any
    after: Any


class RuleChange(BaseModel):
    rule_id: str
    change: str = Field(description="added | removed | changed")
    before: list[dict[str, Any]]
    after: list[dict[str, Any]]


class ReplayReport(BaseModel):
    """What would change if a stored decision were made again under the current policy, or
    under the recorded one (then nothing should)."""

    decision_id: str
    evaluation_time: datetime
    under: Literal["current", "recorded"] = Field(
        default="current",
        description="current: the policy served now, with today's sizing; recorded: the "
        "archived revision that made the record, comparing the policy's outcome only (sizing "
        "is not archived: the recommendation is left out).",
    )
    stored_revision: str
    current_revision: str = Field(description="The revision the replay ran under.")
    changed: bool
    fields: list[FieldChange]
    rules: list[RuleChange]
