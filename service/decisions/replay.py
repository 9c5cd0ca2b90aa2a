"""Replay: decide a stored request again and report what changed.

Two policies to replay under:

- `current` (the default, and the only one before the revision archive): the policy the
  service serves now, with today's sizing. Answers "would this still be decided so today?".
- `recorded`: the archived revision that made the record (service/policies/archive.py), on a
  throw-away loopback OPA over its exact files, at the record's own evaluation time. A faithful
  replay answers `changed: false`; anything else means the record does not follow from its
  policy. Sizing is Python, not policy: it is not archived and cannot be re-run as it was, so
  the candidates sent to the policy come from today's sizing engine and the comparison covers
  the policy's outcome only (verdict, tiers, domestic substitution, violations, obligations);
  the recommendation, which also depends on sizing and prices, is left out of `recorded`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions import chain, service
from service.decisions.assembly import (
    Evaluation,
    SerialisedRequest,
    UnsealedRecord,
    build_record,
    parse_decision,
    policy_input,
)
from service.decisions.models import (
    DecisionRecord,
    DecisionRequest,
    FieldChange,
    Recommendation,
    ReplayReport,
    RuleChange,
)
from service.errors import Conflict, NotFound, PolicyEngineUnavailable
from service.opa.client import PolicyEngine
from service.opa.loopback import loopback_binary, loopback_engine
from service.opa.revision import DiskPolicy
from service.policies import archive
from service.sizing.catalog import Catalog, catalog_of_files
from service.sizing.models import SizingResult
from service.sizing.service import size

Under = Literal["current", "recorded"]


async def replay(
    db: Engine,
    decision_id: str,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
    under: Under = "current",
    opa_binary: str = "",
) -> ReplayReport:
    """Re-evaluate a stored request at its own evaluation time under the current policy (or
    the recorded one, on a throw-away OPA), with the approved exceptions its record says were
    considered (as they were then, even if one has since expired or been revoked); report what
    would change, rule by rule. Nothing is written."""
    stored = await run_in_threadpool(service.get, db, decision_id)
    if under == "current":
        return await replay_record(stored, policy_engine=policy_engine, catalog=catalog)
    recorded = await run_in_threadpool(archived_policy, db, stored)
    return await replay_offline(stored, recorded, catalog=catalog, opa_binary=opa_binary)


def archived_policy(db: Engine, stored: DecisionRecord) -> DiskPolicy:
    """The archived revision that made `stored`; 409 naming why when it is not archived."""
    revision = stored.policy.revision
    try:
        return archive.policy(db, revision)
    except NotFound as exc:
        raise Conflict(
            f"decision {stored.id} was made under policy revision {revision[:12]}, which is "
            f"not in the revision archive ({exc.message}; records made before the archive "
            "existed have none): replay it under=current, or offline with `tiergate replay "
            "--under recorded --bundle` and a bundle of that revision",
            field="under",
        ) from exc


async def replay_offline(
    stored: DecisionRecord,
    policy: DiskPolicy,
    *,
    catalog: Catalog,
    opa_binary: str,
    under: Under = "recorded",
) -> ReplayReport:
    """Replay `stored` under `policy` on a throw-away loopback OPA (the API and the CLI);
    `opa_binary` as configured (TIERGATE_OPA_BINARY), else the usual places. Sizing uses the
    accelerator catalogue inside `policy` when it has one (the recorded data, today's code)."""
    if under == "recorded" and policy.revision != stored.policy.revision:
        raise Conflict(
            f"the policy given is revision {policy.revision[:12]} but decision {stored.id} "
            f"was made under {stored.policy.revision[:12]}",
            field="bundle",
        )
    binary = loopback_binary(opa_binary)
    try:
        async with loopback_engine(policy.files, binary=binary) as engine:
            return await replay_record(
                stored,
                policy_engine=engine,
                catalog=catalog_of_files(policy.files) or catalog,
                under=under,
            )
    except (OSError, RuntimeError) as exc:
        raise PolicyEngineUnavailable(
            f"the throw-away OPA for revision {policy.revision[:12]} did not start ({exc})"
        ) from exc


def stored_request(stored: DecisionRecord) -> tuple[DecisionRequest, SerialisedRequest]:
    """The request a record was decided on, as the policy is asked about it again. The stored
    request is already masked: the policy sees it (defaults filled as it was validated) and
    the record keeps it as it is."""
    request = DecisionRequest.model_validate(stored.request)
    serialised = SerialisedRequest(
        clear=request.model_dump(mode="json"),
        stored=stored.request,
        masked_fields=stored.masked_fields,
        input_sha256=stored.integrity.input_sha256,
    )
    return request, serialised


def replayed_record(
    stored: DecisionRecord,
    request: DecisionRequest,
    serialised: SerialisedRequest,
    evaluation: Evaluation,
    evaluation_time: datetime | None = None,
) -> UnsealedRecord:
    """The record the same request makes with `evaluation` (id, times and submitter kept;
    `evaluation_time` when it was evaluated at another instant)."""
    return build_record(
        decision_id=stored.id,
        request=request,
        serialised=serialised,
        request_id=stored.request_id,
        now=stored.created_at,
        evaluation_time=evaluation_time or stored.evaluation_time,
        evaluation_time_source=stored.evaluation_time_source,
        evaluation=evaluation,
        submitted_by=stored.submitted_by.model_dump() if stored.submitted_by else None,
        exceptions_considered=stored.exceptions_considered or [],
    )


async def replay_record(
    stored: DecisionRecord,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
    under: Under = "current",
) -> ReplayReport:
    """Decide `stored`'s request again on `policy_engine` at its evaluation time; compare."""
    request, serialised = stored_request(stored)
    sizing: SizingResult = size(request.workload, catalog=catalog)
    answer = await policy_engine.decide(
        policy_input(
            serialised.clear,
            sizing,
            stored.evaluation_time,
            stored_request=serialised.stored,
            exceptions=stored.exceptions_considered or [],
        )
    )
    evaluation = Evaluation(sizing=sizing, answer=answer, decision=parse_decision(answer))
    again = replayed_record(stored, request, serialised, evaluation)
    return compare(stored, again, under=under)


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
