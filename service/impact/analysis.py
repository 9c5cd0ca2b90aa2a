"""The impact analysis itself: replay many stored records under a candidate policy on a
separate throw-away OPA and collect the ones it decides differently. Writes nothing.

Speed (bench/impact_bench.py): records are read and prepared a batch at a time, their queries
go to OPA a few at once (OPA evaluates them on every core while Python prepares the next
batch), and sizing is worked out once per distinct workload. One query evaluating a whole
batch (`with input as` over an array) was measured slower per record on this policy set —
28 ms one by one at 2 in flight, 33 ms in batches of 10 at 2 in flight, 42-47 ms at 4 — so
each record is its own query. Records that put the very same input to the policy (the same
request at the same instant: common with `evaluate_at`) are evaluated once: the policy reads
no clock and does no I/O (policies/README.md: the evaluation time is part of its input), so the
same input gets the same answer.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions import repository
from service.decisions.models import DecisionRecord, DecisionRequest
from service.decisions.policy_query import (
    Evaluation,
    SerialisedRequest,
    parse_decision,
    policy_input,
)
from service.decisions.replay import replayed_record, stored_request
from service.decisions.sealing import to_record
from service.impact.compare import RecordImpact, record_impact
from service.opa.client import PolicyAnswer
from service.opa.loopback import loopback_engine
from service.opa.revision import DiskPolicy
from service.sizing.catalog import Catalog, catalog_of_files
from service.sizing.models import SizingResult
from service.sizing.service import size

# Records read and prepared together (bounded memory: a batch's records and inputs).
BATCH_SIZE = 50
# Queries in flight: 2-4 kept both cores of the bench machine busy (26-28 ms per record under
# load); 8 only queued in OPA (42 ms).
IN_FLIGHT = 4
# Answers kept for inputs seen again (~15 KB each: at most ~30 MB).
ANSWERS_KEPT = 2048


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
                policy_input=policy_input(
                    serialised.clear,
                    sizing,
                    at,
                    stored_request=serialised.stored,
                    exceptions=stored.exceptions_considered or [],
                ),
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
        queries = asyncio.Semaphore(IN_FLIGHT)
        batches_in_flight = asyncio.Semaphore(2)  # one evaluated while the next is prepared
        answers: OrderedDict[str, asyncio.Task[PolicyAnswer]] = OrderedDict()

        async def query(policy_input: dict[str, Any]) -> PolicyAnswer:
            async with queries:
                return await engine.decide(policy_input)

        def decide(policy_input: dict[str, Any]) -> asyncio.Task[PolicyAnswer]:
            key = json.dumps(policy_input, sort_keys=True, separators=(",", ":"))
            known = answers.get(key)
            if known is None:
                known = answers[key] = asyncio.ensure_future(query(policy_input))
                if len(answers) > ANSWERS_KEPT:
                    answers.popitem(last=False)
            else:
                answers.move_to_end(key)
            return known

        async def run(batch: list[int]) -> None:
            nonlocal done
            async with batches_in_flight:
                prepared = await run_in_threadpool(_prepare, db, batch, sizer, evaluate_at)
                answers = await asyncio.gather(*(decide(p.policy_input) for p in prepared))
                found.extend(await run_in_threadpool(_compare, prepared, list(answers)))
            done += len(batch)
            on_progress(done)

        async with asyncio.TaskGroup() as group:
            for batch in batches:
                group.create_task(run(batch))
    return found
