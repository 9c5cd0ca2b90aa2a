"""Shapes of an impact job: what it was asked, how far it got, and what it found."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

SAMPLES_PER_BUCKET = 20


class Transition(StrEnum):
    """How a record's outcome moves under the candidate (one record may move in several)."""

    allow_to_deny = "allow_to_deny"
    deny_to_allow = "deny_to_allow"
    minimum_tier_raised = "minimum_tier_raised"
    minimum_tier_lowered = "minimum_tier_lowered"
    domestic_substitution_required = "domestic_substitution_required"
    domestic_substitution_released = "domestic_substitution_released"
    recommendation_changed = "recommendation_changed"
    obligation_added = "obligation_added"
    obligation_removed = "obligation_removed"


class JobStatus(StrEnum):
    running = "running"
    finished = "finished"
    failed = "failed"
    cancelled = "cancelled"


class Candidate(BaseModel):
    kind: Literal["bundle", "revision", "current"] = Field(
        description="An uploaded bundle, an archived revision, or the policy served now."
    )
    revision: str = Field(description="The candidate's revision digest.")
    name: str | None = Field(default=None, description="The uploaded file's name.")


class Filters(BaseModel):
    since: datetime | None = Field(default=None, description="created_at ≥ since.")
    until: datetime | None = Field(default=None, description="created_at < until.")
    sector: str | None = None
    verdict: str | None = Field(default=None, description="The recorded verdict.")
    limit: int | None = Field(default=None, description="At most this many, the newest.")


class Progress(BaseModel):
    done: int
    total: int


class Bucket(BaseModel):
    count: int
    sample_ids: list[str] = Field(
        description=f"Up to {SAMPLES_PER_BUCKET} decision ids, oldest first."
    )


class RuleImpact(BaseModel):
    """How one rule's violations and obligations differ, record by record."""

    rule_id: str
    added: int = Field(description="Records where the rule now fires and did not.")
    removed: int = Field(description="Records where the rule fired and no longer does.")
    changed: int = Field(description="Records where it fires either way, with another message.")
    sample_ids: list[str]


class ImpactResult(BaseModel):
    """What the candidate changes, against each record as it was recorded."""

    analysed: int
    changed: int = Field(description="Records with any difference (listed in the CSV).")
    unchanged: int
    transitions: dict[Transition, Bucket]
    rules: list[RuleImpact] = Field(description="Sorted by rule id; rules with no change left out.")


class ImpactJob(BaseModel):
    """An impact job as GET /v1/impact/{job} reports it."""

    id: str
    status: JobStatus
    candidate: Candidate
    evaluate_at: datetime | None = Field(
        description="Every record evaluated at this instant; null: each at its own time."
    )
    filters: Filters
    progress: Progress
    created_at: datetime
    finished_at: datetime | None
    elapsed_seconds: float
    error: str | None = None
    result: ImpactResult | None = Field(default=None, description="Once finished.")
