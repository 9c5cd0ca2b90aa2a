"""Comparison of a stored record with the same request decided again: the fields and the
rules that changed (replay, and impact analysis over many records)."""

from __future__ import annotations

from typing import Any, Literal

from service.decisions import chain
from service.decisions.assembly import UnsealedRecord
from service.decisions.models import (
    DecisionRecord,
    FieldChange,
    Recommendation,
    ReplayReport,
    RuleChange,
)

Under = Literal["current", "recorded"]


def compare(
    before: DecisionRecord, after: UnsealedRecord, *, under: Under = "current"
) -> ReplayReport:
    """What differs between a stored record and the same request decided again (typed on both
    sides: the new decision is compared as the policy answered it, not re-read from JSON).
    Under `recorded` the recommendation (sizing's part) is not compared."""
    fields = field_changes(before, after, with_recommendation=under == "current")
    now = after.decision
    rules = rule_changes(
        [v.model_dump() for v in before.violations] + [o.model_dump() for o in before.obligations],
        [v.model_dump() for v in now.violations] + [o.model_dump() for o in now.obligations],
    )
    return ReplayReport(
        decision_id=before.id,
        evaluation_time=before.evaluation_time,
        under=under,
        stored_revision=before.policy.revision,
        current_revision=after.policy.revision,
        changed=bool(fields or rules),
        fields=fields,
        rules=rules,
    )


def field_changes(
    before: DecisionRecord, after: UnsealedRecord, *, with_recommendation: bool
) -> list[FieldChange]:
    now = after.decision
    fields: list[FieldChange] = []
    for name, old, new in (
        ("verdict", before.verdict, now.verdict),
        ("tier.minimum", before.tier.minimum, now.tier.minimum),
        ("tier.selected", before.tier.selected, now.tier.selected),
        ("tier.allowed", before.tier.allowed, now.tier.allowed),
        (
            "domestic_substitution.required",
            before.domestic_substitution.required,
            now.domestic_substitution.required,
        ),
        ("recommendation", _plan(before.recommendation), _plan(after.recommendation)),
        (
            "exceptions_applied",
            sorted(a.exception_id for a in before.exceptions_applied or []),
            sorted(a.exception_id for a in now.exceptions_applied),
        ),
    ):
        if name == "recommendation" and not with_recommendation:
            continue
        if old != new:
            fields.append(FieldChange(field=name, before=_jsonable(old), after=_jsonable(new)))
    return fields


def _plan(recommendation: Recommendation | None) -> dict[str, Any] | None:
    if recommendation is None:
        return None
    return {
        "accelerator": recommendation.accelerator,
        "count": recommendation.count,
        "nodes": recommendation.nodes,
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value.value if hasattr(value, "value") else value


def rule_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[RuleChange]:
    def by_rule(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            grouped.setdefault(str(item["rule_id"]), []).append(item)
        return {k: sorted(v, key=chain.canonical) for k, v in grouped.items()}

    old, new = by_rule(before), by_rule(after)
    changes = []
    for rule_id in sorted(old.keys() | new.keys()):
        if rule_id not in new:
            change = "removed"
        elif rule_id not in old:
            change = "added"
        elif old[rule_id] != new[rule_id]:
            change = "changed"
        else:
            continue
        changes.append(
            RuleChange(
                rule_id=rule_id,
                change=change,
                before=old.get(rule_id, []),
                after=new.get(rule_id, []),
            )
        )
    return changes
