"""Shapes exchanged with the Rego entry point `data.tiergate.main`.

`PolicyInput` is what the service sends (its JSON Schema, schemas/policy-input.json, is what
`opa check -s` type-checks the policies against); `PolicyDecision` is what the service accepts
back — anything else from OPA is treated as an engine failure (fail closed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from service.policies.vocabulary import (
    AppliedException,
    Context,
    DomesticSubstitution,
    ExceptionScope,
    Obligation,
    Tier,
    TierOutcome,
    Verdict,
    Violation,
)
from service.workloads.models import Workload


class PolicyContext(Context):
    """The request context with every default filled and the evaluation time fixed."""

    evaluation_time: str = Field(description="RFC 3339 instant the rules are evaluated at.")  # type: ignore[assignment]


class Candidate(BaseModel):
    """A hardware plan the sizing engine found feasible, cheapest first."""

    accelerator: str
    count: int
    nodes: int


class PolicyException(BaseModel):
    """An approved exception as the policy sees it (policies/tiergate/lib/exceptions.rego)."""

    id: str
    rule_id: str
    scope: ExceptionScope
    valid_from: str = Field(description="RFC 3339 (UTC, whole seconds), inclusive.")
    expires_at: str = Field(description="RFC 3339 (UTC, whole seconds), exclusive.")


class ExceptionSubject(BaseModel):
    """The request's organisation and workload name as its record stores them (salted digests
    where masked): what an exception's scope names them by."""

    organization: str
    workload_name: str


class PolicyExceptions(BaseModel):
    """The approved exceptions the service found active at the evaluation time."""

    subject: ExceptionSubject
    active: list[PolicyException]


class PolicyInput(BaseModel):
    """`input` of data.tiergate.main.decision."""

    workload: Workload
    context: PolicyContext
    candidates: list[Candidate]
    exceptions: PolicyExceptions | None = Field(
        default=None, description="Approved exceptions to apply (none when absent)."
    )


class AcceleratorExclusion(BaseModel):
    accelerator: str
    rule_ids: list[str]


class AcceleratorVerdict(BaseModel):
    allowed: list[str]
    excluded: list[AcceleratorExclusion] = Field(default_factory=list)


class PolicyDecision(BaseModel):
    """`result` of data.tiergate.main.decision."""

    model_config = ConfigDict(extra="allow")

    verdict: Verdict
    tier: TierOutcome
    domestic_substitution: DomesticSubstitution
    accelerators: AcceleratorVerdict
    violations: list[Violation]
    obligations: list[Obligation]
    exceptions_applied: list[AppliedException] = Field(default_factory=list)


class RuleResult(BaseModel):
    """What one rule emitted for the input (all empty when it did not fire)."""

    violations: list[Violation]
    obligations: list[Obligation]
    tier_floors: list[dict[str, Any]] = Field(
        description="Minimum tiers the rule demands (rule_id, tier, message, message_zh)."
    )
    excluded_accelerators: list[str] = Field(description="Catalogue accelerators it excludes.")
    substitution: Literal["required", "preferred"] | None = Field(
        description="The domestic-substitution (信创) level it sets, if any."
    )


class RuleExplanation(BaseModel):
    """One catalogue rule in a dry run with explain=true (`data.tiergate.main.explanations`):
    whether it fired and what it emitted, or, from the rule itself, why it did not."""

    rule_id: str
    fired: bool
    reason: str | None = Field(description="Why it did not fire, in one line; null when fired.")
    reason_zh: str | None = Field(description="The same in Chinese; null when fired.")
    result: RuleResult


class RuleInfo(BaseModel):
    """One rule of the catalogue, as its METADATA describes it."""

    model_config = ConfigDict(extra="allow")

    rule_id: str
    title: str
    title_zh: str = Field(description="The rule's title in Chinese (METADATA custom.title_zh).")
    description: str
    severity: str | None = None
    effective_on: str | None = None
    related_resources: list[Any] = Field(default_factory=list)
    kind: Literal["violation", "obligation", "tier"] | str | None = None
    exceptable: bool = Field(
        default=True,
        description="False when no approved exception may waive the rule (custom.exceptable).",
    )


class PolicyInfo(BaseModel):
    revision: str
    engine: str = "opa"
    engine_version: str
    tiers: list[Tier] = Field(default_factory=lambda: list(Tier))
    rules: list[RuleInfo]


class RevisionSummary(BaseModel):
    """One archived policy revision, as listed."""

    revision: str = Field(description="The revision digest (service/opa/revision.py).")
    first_served_at: datetime = Field(description="When a service process first served it.")
    rule_count: int = Field(description="Rule packages under tiergate.rules in the revision.")


class RevisionList(BaseModel):
    items: list[RevisionSummary]


class RevisionFile(BaseModel):
    path: str = Field(description="Path below policies/ (OPA serves data.json at its folder).")
    sha256: str
    bytes: int


class RevisionManifest(RevisionSummary):
    """The files behind an archived revision, each with its SHA-256."""

    files: list[RevisionFile]
