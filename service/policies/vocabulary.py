"""The policy vocabulary: what a request says about the workload's owner and data (Tier, Sector,
Context, …) and what the policy answers in those words (tier outcome, violations, obligations).

It belongs to the policy contract, not to the decision log: `service/policies/models.py` builds
OPA's input from it and `service/decisions/` records it (docs/architecture.md, layers).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
)

ACCELERATOR_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"

# RFC 3339 §5.6 with its offset. pydantic alone also reads Unix numbers ("0.5", 1e9) as times.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
# Years whose every instant, in any offset, Rego's time.parse_rfc3339_ns reads: it counts int64
# nanoseconds (1677-09-21 to 2262-04-11) and is undefined outside.
POLICY_YEARS = range(1678, 2262)


def _rfc3339_text(value: object) -> object:
    if isinstance(value, datetime):  # built in Python, not parsed
        return value
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError(
            "expected an RFC 3339 date-time string with an offset, e.g. 2026-11-28T00:00:00Z"
        )
    return value


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is beyond the range of dates once converted to UTC") from None


def _policy_readable(value: datetime) -> datetime:
    if value.year not in POLICY_YEARS:
        raise ValueError(
            f"must lie in the years {POLICY_YEARS.start} to {POLICY_YEARS.stop - 1}: the policy "
            "engine counts time in int64 nanoseconds"
        )
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_in_utc)]
"""An RFC 3339 string with an offset, as a UTC datetime (query filters)."""

EvaluationTime = Annotated[
    AwareDatetime, BeforeValidator(_rfc3339_text), AfterValidator(_policy_readable)
]
"""An RFC 3339 string with an offset that the policies can evaluate at (offset kept)."""


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


class CrossBorder(BaseModel):
    """Personal information the workload sends abroad this year (促进和规范数据跨境流动规定)."""

    model_config = ConfigDict(extra="forbid")

    people_per_year: int = Field(
        default=0,
        ge=0,
        le=10_000_000_000,
        description="People whose personal information (not sensitive) is provided abroad, counted "
        "from 1 January of the year.",
    )
    sensitive_people_per_year: int = Field(
        default=0,
        ge=0,
        le=10_000_000_000,
        description="People whose sensitive personal information (PIPL art. 28) is provided "
        "abroad, counted from 1 January of the year.",
    )


class Context(BaseModel):
    """Who owns the workload and what the data is; drives the policy."""

    model_config = ConfigDict(extra="forbid")

    organization: str = Field(default="", max_length=200, description="Owning organisation.")
    sector: Sector = Field(description="Sector of the owning organisation.")
    data_class: DataClass = Field(default=DataClass.general, description="Highest data grade.")
    state_secret: StateSecret = Field(default=StateSecret.none, description="State-secret level.")
    personal_information: StrictBool = Field(default=False, description="Processes personal info.")
    sensitive_personal_information: StrictBool = Field(
        default=False, description="Processes sensitive personal information (PIPL art. 28)."
    )
    core_business: StrictBool = Field(default=False, description="Supports core business systems.")
    public_service: StrictBool = Field(default=False, description="Offered to the public in China.")
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
        default=Procurement.new,
        description="New purchase, rental or hardware already installed. Default new, the "
        "fail-safe value: a part barred for a new purchase is excluded unless the caller says the "
        "hardware is rented or already installed.",
    )
    cii_operator: bool = Field(
        default=False,
        description="The organisation is designated a critical-information-infrastructure "
        "operator (关键信息基础设施运营者) by its protection authority; a designation, "
        "not a sector.",
    )
    state_funded_data_centre: bool = Field(
        default=False,
        description="The hardware is in a data-centre project that received state funds "
        "(guidance reported in November 2025: domestic AI accelerators only).",
    )
    uses_filed_model: bool = Field(
        default=False,
        description="A public service that calls an already filed (备案) generative-AI model "
        "unchanged; it is registered (登记) instead of filed. Ignored for training tasks (the "
        "model becomes the organisation's own).",
    )
    personal_information_people: int | None = Field(
        default=None,
        ge=0,
        le=10_000_000_000,
        description="People whose personal information the organisation processes "
        "(网络数据安全管理条例 art. 28: 10 million or more adds important-data duties); "
        "unknown if absent.",
    )
    cross_border: CrossBorder | None = Field(
        default=None,
        description="Personal information sent abroad this year; decides the data-export path "
        "(exempt, standard contract or certification, security assessment). Required in effect "
        "for personal information processed outside mainland China: without it the path cannot "
        "be determined and the export is denied.",
    )
    requested_tier: Tier | None = Field(default=None, description="Tier the caller would like.")
    requested_accelerator: str | None = Field(
        default=None,
        pattern=ACCELERATOR_ID_PATTERN,
        description="Catalogue id of the accelerator the caller would like.",
    )
    evaluation_time: EvaluationTime | None = Field(
        default=None,
        description="Instant the rules are evaluated at (RFC 3339 with offset, years 1678–2261); "
        "default and for most keys: now. Accepted within the configured clock skew of the "
        "server (default 5 minutes), or from a key with role backdate.",
    )


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


class ExceptionScope(BaseModel):
    """What an approved exception is limited to: every field given must equal the decision's
    (an absent or null field matches any). Organisation and workload name are compared as the
    record stores them, salted digests where masked."""

    model_config = ConfigDict(extra="forbid")

    sector: Sector | None = Field(default=None, description="Sector of the organisation.")
    organization: str | None = Field(
        default=None, min_length=1, max_length=200, description="context.organization."
    )
    workload_name: str | None = Field(
        default=None, min_length=1, max_length=200, description="workload.name."
    )
    accelerator: str | None = Field(
        default=None,
        pattern=ACCELERATOR_ID_PATTERN,
        description="context.requested_accelerator (catalogue id).",
    )
    tier: Tier | None = Field(default=None, description="context.requested_tier.")


class Excepted(BaseModel):
    """The approved exception that waives a violation (it no longer makes the verdict deny)."""

    exception_id: str
    expires_at: str = Field(description="When the exception stops applying (RFC 3339, UTC).")


class AppliedException(BaseModel):
    """An approved exception that waived at least one violation of a decision."""

    exception_id: str
    expires_at: str
    rule_ids: list[str]
    message: str
    message_zh: str


class Violation(BaseModel):
    rule_id: str
    severity: str
    message: str
    message_zh: str
    excepted: Excepted | None = Field(
        default=None,
        # left out, not null, when absent: every violation sealed before exceptions existed
        # has no such key, and explanations list violations as the rule emitted them
        exclude_if=lambda value: value is None,
        description="Present when an approved exception waives this violation (issue 15).",
    )


class Obligation(BaseModel):
    rule_id: str
    message: str
    message_zh: str
