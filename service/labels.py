"""Chinese and English labels for what people read (web UI, evidence summary).

Tier, data-class, sector and region names in Chinese come from the policies' own reference
data, so a page says what the policy says (English beside them here); the other enum labels are
here (tests/test_labels.py checks every member has one).
Chinese dates are written as a compliance officer writes them (2027年1月1日), never RFC 3339.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from service.files import read_json

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# English names; the Chinese ones are the policies' own (reference/sectors and regions data).
SECTORS_EN: dict[str, str] = {
    "government": "Government",
    "finance": "Finance",
    "defense": "Defence",
    "healthcare": "Healthcare",
    "energy": "Energy",
    "telecom": "Telecom",
    "transport": "Transport",
    "education": "Education",
    "research": "Research",
    "internet": "Internet",
    "manufacturing": "Manufacturing",
    "other": "Other",
}
REGIONS_EN: dict[str, str] = {
    "cn": "Mainland China",
    "hk": "Hong Kong, China",
    "mo": "Macao, China",
    "tw": "Taiwan, China",
    "sg": "Singapore",
    "jp": "Japan",
    "kr": "Republic of Korea",
    "my": "Malaysia",
    "th": "Thailand",
    "vn": "Viet Nam",
    "id": "Indonesia",
    "in": "India",
    "ae": "United Arab Emirates",
    "sa": "Saudi Arabia",
    "us": "United States",
    "gb": "United Kingdom",
    "de": "Germany",
    "fr": "France",
    "nl": "Netherlands",
    "au": "Australia",
}
VERDICTS: dict[str, tuple[str, str]] = {"allow": ("准予", "Allow"), "deny": ("不予", "Deny")}
STATE_SECRETS: dict[str, tuple[str, str]] = {
    "none": ("非涉密", "None"),
    "secret": ("秘密", "Secret"),
    "confidential": ("机密", "Confidential"),
    "top_secret": ("绝密", "Top secret"),
}
PROCUREMENTS: dict[str, tuple[str, str]] = {
    "new": ("新购", "New purchase"),
    "rental": ("租用", "Rental"),
    "existing": ("利旧", "Existing hardware"),
}
SEVERITIES: dict[str, tuple[str, str]] = {
    "deny": ("否决", "Deny"),
    "warn": ("提示", "Warning"),
    "info": ("信息", "Info"),
    "high": ("高", "High"),
    "medium": ("中", "Medium"),
    "low": ("低", "Low"),
}
RESOURCE_FORMS: dict[str, tuple[str, str]] = {
    "classified_facility": ("保密机房", "Classified facility"),
    "bare_metal": ("裸金属服务器", "Bare-metal servers"),
    "appliance": ("GPU一体机", "GPU appliance"),
    "cloud_host": ("云主机", "Cloud host"),
    "cloud_container": ("按秒计费容器", "Per-second container"),
}
YES_NO: dict[bool, tuple[str, str]] = {True: ("是", "Yes"), False: ("否", "No")}


@dataclass(frozen=True)
class PolicyNames:
    """Names the policy reference data gives to tiers and data grades."""

    tiers: dict[str, tuple[str, str]]
    tier_order: tuple[str, ...]
    data_classes: dict[str, tuple[str, str]]
    sectors: dict[str, tuple[str, str]]
    regions: dict[str, tuple[str, str]]


def _read(reference: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = read_json(reference / name / "data.json")
    return data


def policy_names(policies_dir: Path) -> PolicyNames:
    """The names as the reference data says now (each file reread when it changes)."""
    reference = policies_dir / "tiergate" / "reference"
    ladder = sorted(_read(reference, "tiers")["ladder"], key=lambda tier: -int(tier["rank"]))
    grades: dict[str, str] = _read(reference, "tier_matrix")["data_class_names_zh"]
    sectors: dict[str, str] = _read(reference, "sectors")["sector_names_zh"]
    regions: dict[str, str] = _read(reference, "regions")["names_zh"]
    return PolicyNames(
        tiers={t["id"]: (t["name_zh"], str(t["name"]).capitalize()) for t in ladder},
        tier_order=tuple(t["id"] for t in ladder),
        data_classes={k: (v, k.capitalize()) for k, v in grades.items()},
        sectors={k: (v, SECTORS_EN.get(k, k)) for k, v in sectors.items()},
        regions={k: (v, REGIONS_EN.get(k, k.upper())) for k, v in regions.items()},
    )


def label(table: dict[str, tuple[str, str]], value: object, lang: Lang) -> str:
    """The label of `value` in `lang`; the value itself when the table has none."""
    pair = table.get(value) if isinstance(value, str) else None
    if pair is None:
        return "—" if value is None else str(value)
    return pair[0] if lang == "zh" else pair[1]


def date_text(value: datetime | str | None, lang: Lang, *, with_time: bool = True) -> str:
    """2026年12月1日 19:58 UTC / 1 Dec 2026 19:58 UTC."""
    if value is None:
        return "—"
    moment = (
        datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    )
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    time = f" {moment:%H:%M} UTC" if with_time else ""
    if lang == "zh":
        return f"{moment.year}年{moment.month}月{moment.day}日{time}"
    return f"{moment.day} {moment:%b} {moment.year}{time}"


def joined(items: list[str], lang: Lang) -> str:
    """Lists in Chinese are joined with 、."""
    return ("、" if lang == "zh" else ", ").join(items)
