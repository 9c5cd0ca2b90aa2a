"""Request and record models of `POST /v1/decisions` (DESIGN.md §3, the public contract)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from service.workloads.models import Workload

ACCELERATOR_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"


class Tier(StrEnum):
    """The security ladder, highest first."""

    classified_facility = "classified_facility"
    bare_metal = "bare_metal"
    appliance = "appliance"
    vpc = "vpc"
    shared_cloud = "shared_cloud"


class Sector(StrEnum):
    government = "government"
    finance = "finance"
    defense = "defense"
    healthcare = "healthcare"
    energy = "energy"
    telecom = "telecom"
    transport = "transport"
    education = "education"
    research = "research"
    internet = "internet"
    manufacturing = "manufacturing"
    other = "other"


class DataClass(StrEnum):
    """Data Security Law grading: general < important < core (plus public / sensitive)."""

    public = "public"
    general = "general"
    sensitive = "sensitive"
    important = "important"
    core = "core"


class StateSecret(StrEnum):
    none = "none"
    secret = "secret"
    confidential = "confidential"
    top_secret = "top_secret"


class Procurement(StrEnum):
    new = "new"
    rental = "rental"
    existing = "existing"


class Verdict(StrEnum):
    allow = "allow"
    deny = "deny"


class Context(BaseModel):
    """Who owns the workload and what the data is; drives the policy."""

    model_config = ConfigDict(extra="forbid")

    organization: str = Field(default="", max_length=200, description="Owning organisation.")
    sector: Sector = Field(description="Sector of the owning organisation.")
    data_class: DataClass = Field(default=DataClass.general, description="Highest data grade.")
    state_secret: StateSecret = Field(default=StateSecret.none, description="State-secret level.")
    personal_information: bool = Field(default=False, description="Processes personal info.")
    sensitive_personal_information: bool = Field(
        default=False, description="Processes sensitive personal information (PIPL art. 28)."
    )
    core_business: bool = Field(default=False, description="Supports core business systems.")
    public_service: bool = Field(default=False, description="Offered to the public in China.")
    region: str = Field(
        default="cn", pattern=r"^[a-z]{2}$", description="ISO 3166 alpha-2 region, lower case."
    )
    headquarters: str = Field(
        default="cn",
        pattern=r"^[a-z]{2}$",
        description="ISO 3166 alpha-2 region of the organisation's ultimate parent, lower case "
        "(US export licensing follows a China-headquartered buyer wherever the hardware is "
        "installed). Default cn: tiergate's users are organisations in China.",
    )
    procurement: Procurement = Field(
        default=Procurement.rental, description="New purchase, rental or existing hardware."
    )
    requested_tier: Tier | None = Field(default=None, description="Tier the caller would like.")
    requested_accelerator: str | None = Field(
        default=None,
        pattern=ACCELERATOR_ID_PATTERN,
        description="Catalogue id of the accelerator the caller would like.",
    )
    evaluation_time: AwareDatetime | None = Field(
        default=None,
        description="Instant the rules are evaluated at (RFC 3339 with offset); default: now.",
    )


class DecisionRequest(BaseModel):
    """Body of POST /v1/decisions."""

    model_config = ConfigDict(extra="forbid")

    workload: Workload
    context: Context


class TierOutcome(BaseModel):
    minimum: Tier
    allowed: list[Tier]
    requested: Tier | None
    selected: Tier
    basis: list[dict[str, Any]] = Field(default_factory=list)


class DomesticSubstitution(BaseModel):
    required: bool
    preferred: bool = False
    rule_ids: list[str]


class Parallelism(BaseModel):
    dp: int
    tp: int
    pp: int
    zero_stage: int


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


class Violation(BaseModel):
    rule_id: str
    severity: str
    message: str
    message_zh: str


class Obligation(BaseModel):
    rule_id: str
    message: str
    message_zh: str


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


class DecisionRecord(BaseModel):
    """One stored decision: what was asked, what was decided, why, and its tamper evidence.

    The API sends records exactly as sealed (see service.record_dict), so each one verifies on
    its own: sha256 of the RFC 8785 JSON without integrity.hash/.signature is integrity.hash.
    """

    id: str
    created_at: datetime
    evaluation_time: datetime
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
    policy: PolicyProvenance
    integrity: Integrity


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
    """What would change if a stored decision were made again under the current policy."""

    decision_id: str
    evaluation_time: datetime
    stored_revision: str
    current_revision: str
    changed: bool
    fields: list[FieldChange]
    rules: list[RuleChange]
