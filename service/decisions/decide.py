"""The decide step that evaluate, dry_run and replay share: the approved exceptions active at
the evaluation time, sizing, the policy's answer, and the record assembled from them.

Verdicts come only from the policy; this sizes, asks, and hands the answer to record assembly
(service.decisions.assembly). Nothing here stores anything.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions.assembly import UnsealedRecord, build_record
from service.decisions.models import ConsideredException, DecisionRequest
from service.decisions.policy_query import (
    Evaluation,
    SerialisedRequest,
    TimeSource,
    parse_decision,
    policy_input,
)
from service.exceptions import service as exceptions
from service.opa.client import PolicyEngine
from service.sizing.catalog import Catalog
from service.sizing.service import size


async def size_and_decide(
    request: DecisionRequest,
    serialised: SerialisedRequest,
    evaluation_time: datetime,
    *,
    policy_engine: PolicyEngine,
    catalog: Catalog,
    explain: bool = False,
    exceptions_considered: list[ConsideredException] | None = None,
) -> Evaluation:
    """Size the workload and ask the policy about the feasible plans at `evaluation_time`,
    giving it the approved exceptions considered (with `explain`, also every rule's
    explanation: answer.explanations)."""
    sizing = size(request.workload, catalog=catalog)
    answer = await policy_engine.decide(
        policy_input(
            serialised.clear,
            sizing,
            evaluation_time,
            stored_request=serialised.stored,
            exceptions=exceptions_considered,
        ),
        explain=explain,
    )
    return Evaluation(sizing=sizing, answer=answer, decision=parse_decision(answer))


def considered_exceptions(db: Engine, evaluation_time: datetime) -> list[ConsideredException]:
    """The approved exceptions active at `evaluation_time` and never revoked, as the record
    will cite them (the policy decides which are in scope)."""
    return [
        ConsideredException(**exception.model_dump(), entry_hash=entry_hash)
        for exception, entry_hash in exceptions.active_for(db, evaluation_time)
    ]


async def decide(
    request: DecisionRequest,
    serialised: SerialisedRequest,
    *,
    now: datetime,
    at: tuple[datetime, TimeSource],
    decision_id: str | None,
    request_id: str | None,
    submitted_by: dict[str, str | None] | None,
    db: Engine,
    policy_engine: PolicyEngine,
    catalog: Catalog,
    explain: bool = False,
) -> tuple[UnsealedRecord, Evaluation]:
    """What evaluate() and dry_run() share: the approved exceptions active at the
    evaluation time, sizing, the policy's answer, and the record assembled from them (`at`:
    the evaluation time and who set it)."""
    evaluation_time, source = at
    considered = await run_in_threadpool(considered_exceptions, db, evaluation_time)
    evaluation = await size_and_decide(
        request,
        serialised,
        evaluation_time,
        policy_engine=policy_engine,
        catalog=catalog,
        explain=explain,
        exceptions_considered=considered,
    )
    record = build_record(
        decision_id=decision_id,
        request=request,
        serialised=serialised,
        request_id=request_id,
        now=now,
        evaluation_time=evaluation_time,
        evaluation_time_source=source,
        evaluation=evaluation,
        submitted_by=submitted_by,
        exceptions_considered=considered,
    )
    return record, evaluation
