"""Counts of a period of decisions: by verdict, tier, sector, rule and day (dashboard, pack)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC

from service.evidence.repository import IndexEntry


@dataclass(frozen=True)
class Bar:
    key: str
    count: int
    share: float  # of the largest bar in its chart, 0..1 (drawn as the bar's length)


@dataclass(frozen=True)
class SectorDenyRate:
    sector: str
    total: int
    denied: int

    @property
    def rate(self) -> float:
        return self.denied / self.total if self.total else 0.0


@dataclass(frozen=True)
class Summary:
    total: int
    by_verdict: list[Bar]
    by_tier: list[Bar]
    by_sector: list[Bar]
    by_rule: list[Bar]
    by_day: list[Bar]
    deny_rate_by_sector: list[SectorDenyRate] = field(default_factory=list)


def _bars(
    counter: Counter[str], *, order: Iterable[str] | None = None, top: int | None = None
) -> list[Bar]:
    items = (
        [(key, counter[key]) for key in order if counter[key]]
        if order is not None
        else counter.most_common(top)
    )
    largest = max((count for _key, count in items), default=0)
    return [Bar(key, count, count / largest if largest else 0.0) for key, count in items]


def summarize(
    entries: Iterable[IndexEntry], *, tier_order: Iterable[str], top_rules: int = 15
) -> Summary:
    entries = list(entries)
    sectors: Counter[str] = Counter(e.sector for e in entries)
    denied: Counter[str] = Counter(e.sector for e in entries if e.verdict == "deny")
    days: Counter[str] = Counter(
        (e.created_at if e.created_at.tzinfo else e.created_at.replace(tzinfo=UTC))
        .astimezone(UTC)
        .date()
        .isoformat()
        for e in entries
    )
    return Summary(
        total=len(entries),
        by_verdict=_bars(Counter(e.verdict for e in entries), order=("allow", "deny")),
        by_tier=_bars(Counter(e.tier for e in entries), order=tuple(tier_order)),
        by_sector=_bars(sectors),
        by_rule=_bars(Counter(r for e in entries for r in e.rule_ids), top=top_rules),
        by_day=_bars(days, order=sorted(days)),
        deny_rate_by_sector=[
            SectorDenyRate(sector, total, denied[sector]) for sector, total in sectors.most_common()
        ],
    )
