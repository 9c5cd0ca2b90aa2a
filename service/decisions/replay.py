"""Replay: decide a stored request again under the current policy and report what changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions import chain, service
from service.decisions.assembly import SerialisedRequest, UnsealedRecord, build_record
from service.decisions.models import (
    DecisionRecord,
    DecisionRequest,
    FieldChange,
    Recommendation,
    ReplayReport,
    RuleChange,
)
from service.opa.client import PolicyEngine
from service.sizing.catalog import Catalog


async def replay(
    db: Engine,
    decision_id: str,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
) -> ReplayReport:
    """Re-evaluate a stored request at its own evaluation time under the current policy and
    sizing, with the approved exceptions its record says were considered (as they were then,
    even if one has since expired or been revoked); report what would change, rule by rule.
    Nothing is written."""
    stored = await run_in_threadpool(service.get, db, decision_id)
    request = DecisionRequest.model_validate(stored.request)
    # the stored request is already masked: the policy sees it (defaults filled as of now) and
    # the record keeps it as it is
    serialised = SerialisedRequest(
        clear=request.model_dump(mode="json"),
        stored=stored.request,
        masked_fields=stored.masked_fields,
        input_sha256=stored.integrity.input_sha256,
    )
    considered = stored.exceptions_considered or []
    evaluation = await service.size_and_decide(
        request,
        serialised,
        stored.evaluation_time,
        policy_engine=policy_engine,
        catalog=catalog,
        exceptions_considered=considered,
    )
    again = build_record(
        decision_id=stored.id,
        request=request,
        serialised=serialised,
        request_id=stored.request_id,
        now=stored.created_at,
        evaluation_time=stored.evaluation_time,
        evaluation_time_source=stored.evaluation_time_source,
        evaluation=evaluation,
        submitted_by=stored.submitted_by.model_dump() if stored.submitted_by else None,
        exceptions_considered=considered,
    )
    return compare(stored, again)


def compare(before: DecisionRecord, after: UnsealedRecord) -> ReplayReport:
    """What differs between a stored record and the same request decided again (typed on both
    sides: the new decision is compared as the policy answered it, not re-read from JSON)."""
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
        if old != new:
            fields.append(FieldChange(field=name, before=_jsonable(old), after=_jsonable(new)))
    rules = _rule_changes(
        [v.model_dump() for v in before.violations] + [o.model_dump() for o in before.obligations],
        [v.model_dump() for v in now.violations] + [o.model_dump() for o in now.obligations],
    )
    return ReplayReport(
        decision_id=before.id,
        evaluation_time=before.evaluation_time,
        stored_revision=before.policy.revision,
        current_revision=after.policy.revision,
        changed=bool(fields or rules),
        fields=fields,
        rules=rules,
    )


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


def _rule_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[RuleChange]:
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
