"""Chinese and English labels for what people read (web UI, evidence summary).

Tier and data-class names come from the policies' own reference data, so a page says what the
policy says; the other enum labels are here (tests/test_labels.py checks every member has one).
Chinese dates are written as a compliance officer writes them (2027年1月1日), never RFC 3339.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

SECTORS: dict[str, tuple[str, str]] = {
    "government": ("党政机关", "Government"),
    "finance": ("金融", "Finance"),
    "defense": ("军工国防", "Defence"),
    "healthcare": ("医疗卫生", "Healthcare"),
    "energy": ("能源", "Energy"),
    "telecom": ("电信", "Telecom"),
    "transport": ("交通运输", "Transport"),
    "education": ("教育", "Education"),
    "research": ("科研", "Research"),
    "internet": ("互联网", "Internet"),
    "manufacturing": ("制造业", "Manufacturing"),
    "other": ("其他", "Other"),
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
REGIONS: dict[str, tuple[str, str]] = {
    "cn": ("中国内地", "Mainland China"),
    "hk": ("中国香港", "Hong Kong, China"),
    "mo": ("中国澳门", "Macao, China"),
    "tw": ("中国台湾", "Taiwan, China"),
    "us": ("美国", "United States"),
    "sg": ("新加坡", "Singapore"),
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


@lru_cache(maxsize=4)
def policy_names(policies_dir: Path) -> PolicyNames:
    reference = policies_dir / "tiergate" / "reference"
    ladder = json.loads((reference / "tiers" / "data.json").read_text(encoding="utf-8"))["ladder"]
    ladder = sorted(ladder, key=lambda tier: -int(tier["rank"]))
    matrix = json.loads((reference / "tier_matrix" / "data.json").read_text(encoding="utf-8"))
    grades: dict[str, str] = matrix["data_class_names_zh"]
    return PolicyNames(
        tiers={t["id"]: (t["name_zh"], str(t["name"]).capitalize()) for t in ladder},
        tier_order=tuple(t["id"] for t in ladder),
        data_classes={k: (v, k.capitalize()) for k, v in grades.items()},
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
