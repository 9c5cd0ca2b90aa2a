"""The impact analysis itself: replay many stored records under a candidate policy on a
separate throw-away OPA and collect the ones it decides differently. Writes nothing.

Speed (bench/impact_bench.py): records go to OPA a batch at a time in one query
(PolicyEngine.decide_many), a few batches in flight so OPA evaluates one while Python prepares
and compares the next, and sizing is worked out once per distinct workload.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions import repository
from service.decisions.assembly import (
    Evaluation,
    SerialisedRequest,
    parse_decision,
    policy_input,
)
from service.decisions.models import DecisionRecord, DecisionRequest
from service.decisions.replay import replayed_record, stored_request
from service.decisions.sealing import to_record
from service.impact.compare import RecordImpact, record_impact
from service.opa.client import PolicyAnswer
from service.opa.loopback import loopback_engine
from service.opa.revision import DiskPolicy
from service.sizing.catalog import Catalog, catalog_of_files
from service.sizing.models import SizingResult
from service.sizing.service import size

# Measured on the 2-core bench machine (bench/impact_bench.py): 100 inputs per query and 3
# queries in flight; smaller batches pay more round trips, more in flight only queue in OPA.
BATCH_SIZE = 100
IN_FLIGHT = 3


@dataclass(frozen=True)
class _Prepared:
    seq: int
    stored: DecisionRecord
    request: DecisionRequest
    serialised: SerialisedRequest
    sizing: SizingResult
    evaluation_time: datetime
    policy_input: dict[str, Any]


class _Sizer:
    """Sizing once per distinct workload (records of one portal repeat a handful of them)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._known: dict[str, SizingResult] = {}

    def __call__(self, request: DecisionRequest, workload_json: dict[str, Any]) -> SizingResult:
        key = json.dumps(workload_json, sort_keys=True)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = size(request.workload, catalog=self.catalog)
        return known


def _prepare(
    db: Engine, seqs: list[int], sizer: _Sizer, evaluate_at: datetime | None
) -> list[_Prepared]:
    prepared = []
    for row in repository.rows_at(db, seqs):
        stored = to_record(row)
        request, serialised = stored_request(stored)
        sizing = sizer(request, serialised.clear["workload"])
        at = evaluate_at or stored.evaluation_time
        prepared.append(
            _Prepared(
                seq=row.seq,
                stored=stored,
                request=request,
                serialised=serialised,
                sizing=sizing,
                evaluation_time=at,
                policy_input=policy_input(serialised.clear, sizing, at),
            )
        )
    return prepared


def _compare(prepared: list[_Prepared], answers: list[PolicyAnswer]) -> list[RecordImpact]:
    found = []
    for item, answer in zip(prepared, answers, strict=True):
        evaluation = Evaluation(sizing=item.sizing, answer=answer, decision=parse_decision(answer))
        again = replayed_record(
            item.stored, item.request, item.serialised, evaluation, item.evaluation_time
        )
        impact = record_impact(item.seq, item.stored, again)
        if impact is not None:
            found.append(impact)
    return found


async def analyse(
    db: Engine,
    seqs: list[int],
    policy: DiskPolicy,
    *,
    catalog: Catalog,
    opa_binary: str,
    evaluate_at: datetime | None = None,
    on_progress: Callable[[int], None] = lambda done: None,
) -> list[RecordImpact]:
    """The records at `seqs` that `policy` decides differently from their record (each at its
    own evaluation time, or all at `evaluate_at`). Sizing uses the candidate's accelerator
    catalogue when it has one."""
    if not seqs:
        return []
    sizer = _Sizer(catalog_of_files(policy.files) or catalog)
    batches = [seqs[i : i + BATCH_SIZE] for i in range(0, len(seqs), BATCH_SIZE)]
    found: list[RecordImpact] = []
    done = 0
    async with loopback_engine(policy.files, binary=opa_binary) as engine:
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def run(batch: list[int]) -> None:
            nonlocal done
            async with gate:
                prepared = await run_in_threadpool(_prepare, db, batch, sizer, evaluate_at)
                answers = await engine.decide_many([p.policy_input for p in prepared])
                found.extend(await run_in_threadpool(_compare, prepared, answers))
            done += len(batch)
            on_progress(done)

        async with asyncio.TaskGroup() as group:
            for batch in batches:
                group.create_task(run(batch))
    return found
