"""One record's impact: how the candidate's decision differs from the recorded one, and the
tally of many records into the job's buckets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from service.decisions.assembly import UnsealedRecord
from service.decisions.comparison import field_changes, rule_changes
from service.decisions.models import DecisionRecord
from service.impact.models import (
    SAMPLES_PER_BUCKET,
    Bucket,
    ImpactResult,
    RuleImpact,
    Transition,
)
from service.policies.vocabulary import Tier

_LADDER = list(Tier)  # highest first


@dataclass(frozen=True)
class RecordImpact:
    """A record the candidate decides differently (records it leaves alone are not kept)."""

    seq: int
    decision_id: str
    created_at: str
    evaluation_time: str
    transitions: list[Transition]
    rules: dict[str, str]  # rule id → added | removed | changed
    verdict: tuple[str, str]
    minimum_tier: tuple[str, str]


def record_impact(seq: int, before: DecisionRecord, after: UnsealedRecord) -> RecordImpact | None:
    """None when the candidate decides the record as it was recorded."""
    fields = {f.field: f for f in field_changes(before, after, with_recommendation=True)}
    now = after.decision
    rules = rule_changes(
        [v.model_dump() for v in before.violations] + [o.model_dump() for o in before.obligations],
        [v.model_dump() for v in now.violations] + [o.model_dump() for o in now.obligations],
    )
    if not fields and not rules:
        return None
    transitions: list[Transition] = []
    if "verdict" in fields:
        transitions.append(
            Transition.allow_to_deny if now.verdict == "deny" else Transition.deny_to_allow
        )
    if "tier.minimum" in fields:
        higher = _LADDER.index(now.tier.minimum) < _LADDER.index(before.tier.minimum)
        transitions.append(
            Transition.minimum_tier_raised if higher else Transition.minimum_tier_lowered
        )
    if "domestic_substitution.required" in fields:
        transitions.append(
            Transition.domestic_substitution_required
            if now.domestic_substitution.required
            else Transition.domestic_substitution_released
        )
    if "recommendation" in fields:
        transitions.append(Transition.recommendation_changed)
    old_obligations = {o.rule_id for o in before.obligations}
    new_obligations = {o.rule_id for o in now.obligations}
    if new_obligations - old_obligations:
        transitions.append(Transition.obligation_added)
    if old_obligations - new_obligations:
        transitions.append(Transition.obligation_removed)
    return RecordImpact(
        seq=seq,
        decision_id=before.id,
        created_at=before.created_at.isoformat(),
        evaluation_time=after.evaluation_time.isoformat(),
        transitions=transitions,
        rules={r.rule_id: r.change for r in rules},
        verdict=(before.verdict.value, now.verdict.value),
        minimum_tier=(before.tier.minimum.value, now.tier.minimum.value),
    )


_RULE_TALLIES = ("added", "removed", "changed", "any")


@dataclass
class _Tally:
    count: int = 0
    samples: list[str] = field(default_factory=list)

    def add(self, decision_id: str) -> None:
        self.count += 1
        if len(self.samples) < SAMPLES_PER_BUCKET:
            self.samples.append(decision_id)


def summarise(analysed: int, impacts: Iterable[RecordImpact]) -> ImpactResult:
    """The job's buckets from its changed records (taken in chain order, so samples are the
    oldest of each bucket whatever order the batches finished in)."""
    transitions = {t: _Tally() for t in Transition}
    rules: dict[str, dict[str, _Tally]] = {}
    changed = 0
    for impact in sorted(impacts, key=lambda i: i.seq):
        changed += 1
        for transition in impact.transitions:
            transitions[transition].add(impact.decision_id)
        for rule_id, change in impact.rules.items():
            tallies = rules.setdefault(
                rule_id, {k: _Tally() for k in ("added", "removed", "changed", "any")}
            )
            tallies[change].add(impact.decision_id)
            tallies["any"].add(impact.decision_id)
    return ImpactResult(
        analysed=analysed,
        changed=changed,
        unchanged=analysed - changed,
        transitions={
            t: Bucket(count=x.count, sample_ids=x.samples) for t, x in transitions.items()
        },
        rules=[
            RuleImpact(
                rule_id=rule_id,
                added=t["added"].count,
                removed=t["removed"].count,
                changed=t["changed"].count,
                sample_ids=t["any"].samples,
            )
            for rule_id, t in sorted(rules.items())
        ],
    )
