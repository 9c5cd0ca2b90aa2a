"""Impact-analysis benchmark: an impact job over BENCH_RECORDS stored decisions against a
same-run baseline of plain replays one by one.

    .venv/bin/python bench/impact_bench.py          # 10 000 records (issue 13: < 2 minutes)

Setup (not measured): BENCH_DISTINCT different requests (sectors, data classes, requested
tiers, tasks, model sizes and evaluation dates from 2025 to 2026) are decided through the
real decision path (decisions.service.evaluate on a real OPA); the log is then filled to
BENCH_RECORDS with copies of those records under new ids, sealed and chained as the service
seals them. Every stored record is therefore a real decision of the shipped policy, and the
candidate (the shipped policy with research/general raised from vpc to appliance) flips some.

Measured: `service.impact.analysis.analyse` — what POST /v1/impact runs — over every record,
including its throw-away OPA's start; and, on one throw-away OPA over the same candidate,
BENCH_BASELINE_RECORDS replays one by one (`decisions.replay.replay_record`: size, one OPA
query, compare), extrapolated to BENCH_RECORDS. The ratio is baseline / impact. Then the same
job with `evaluate_at` (every record at 2027-01-01): records of one request then put the same
input to the policy and are evaluated once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.decision_log import insert_chained
from service.db import make_engine, migrate
from service.decisions import repository
from service.decisions import service as decisions
from service.decisions.group_commit import GroupCommit
from service.decisions.masking import Masker, load_mask_paths
from service.decisions.models import DecisionRequest
from service.decisions.replay import replay_record
from service.decisions.sealing import seal, to_record
from service.decisions.signing import SigningKey, load_or_create
from service.impact.analysis import analyse
from service.impact.compare import summarise
from service.opa.client import PolicyEngine
from service.opa.loopback import loopback_engine
from service.opa.process import OpaProcess, find_opa_binary
from service.opa.revision import DiskRevision, policy_of_files
from service.settings import PROJECT_ROOT
from service.sizing.catalog import load_catalog

POLICIES = PROJECT_ROOT / "policies"
RECORDS = int(os.environ.get("BENCH_RECORDS", "10000"))
DISTINCT = int(os.environ.get("BENCH_DISTINCT", "200"))
BASELINE_RECORDS = int(os.environ.get("BENCH_BASELINE_RECORDS", "1000"))
MATRIX = "tiergate/reference/tier_matrix/data.json"
EVALUATE_AT = datetime.fromisoformat("2027-01-01T00:00:00+08:00")


def requests(count: int) -> list[dict[str, Any]]:
    """`count` different requests, spread over the dimensions the rules read."""
    sectors = ["research", "finance", "healthcare", "internet", "energy", "manufacturing"]
    classes = ["general", "important", "sensitive"]
    tiers = ["vpc", "appliance", "bare_metal"]
    workloads = [("lora", 7.6), ("inference", 14.0), ("qlora", 32.0), ("inference", 72.0)]
    times = ["2025-03-01T10:00:00+08:00", "2025-10-01T10:00:00+08:00", None]
    every = list(itertools.product(sectors, classes, tiers, workloads, times))
    chosen = random.Random(13).sample(every, min(count, len(every)))  # the same spread each run
    bodies = []
    for number, (sector, data_class, tier, (task, params), at) in enumerate(chosen):
        context: dict[str, Any] = {
            "organization": f"org-{number % 17}",
            "sector": sector,
            "data_class": data_class,
            "requested_tier": tier,
        }
        if at:
            context["evaluation_time"] = at
        bodies.append(
            {
                "workload": {"name": f"w-{number}", "model": {"params_b": params}, "task": task},
                "context": context,
            }
        )
    return bodies


async def decide_templates(db: Engine, key: SigningKey, url: str) -> list[dict[str, Any]]:
    engine = PolicyEngine(url=url, timeout=10, policies_dir=POLICIES)
    masker = Masker(salt=b"bench-salt" * 4, paths=load_mask_paths(POLICIES))
    group_commit = GroupCommit(db)
    try:
        records = []
        for body in requests(DISTINCT):
            created = await decisions.evaluate(
                DecisionRequest.model_validate(body),
                policy_engine=engine,
                catalog=load_catalog(POLICIES),
                db=db,
                group_commit=group_commit,
                signing_key=key,
                masker=masker,
                clock_skew=timedelta(minutes=5),
                may_backdate=True,
            )
            records.append(created.record)
        return records
    finally:
        await engine.close()


def fill(db: Engine, key: SigningKey, templates: list[dict[str, Any]]) -> None:
    """Copies of the templates under new ids up to RECORDS, chained (bulk insert)."""
    head = repository.chain_head(db)
    assert head is not None
    seq, prev, rows = head.seq, head.hash, []
    start = datetime.now(UTC)
    for number in range(RECORDS - seq):
        content = {
            k: v for k, v in templates[number % len(templates)].items() if k not in ("integrity",)
        }
        template = templates[number % len(templates)]
        content["id"] = str(uuid.uuid4())
        content["created_at"] = (start + timedelta(milliseconds=number)).isoformat()
        # each copy decided a few seconds after its template, as a server-set time would be
        # (unique inputs: no two records ask OPA the same question); no dated rule starts
        # within the hours the copies span
        copy_time = datetime.fromisoformat(template["evaluation_time"])
        later = timedelta(seconds=number // len(templates) + 1)
        content["evaluation_time"] = (copy_time + later).isoformat()
        content["integrity"] = {
            "input_sha256": templates[number % len(templates)]["integrity"]["input_sha256"]
        }
        seq += 1
        row = seal(content, key)(seq, prev)
        prev = row.hash
        rows.append(row.model_dump())
        if len(rows) == 2000 or seq == RECORDS:
            insert_chained(db, rows)
            rows = []


def candidate_files() -> dict[str, str]:
    files = DiskRevision(POLICIES).current().files
    matrix = json.loads(files[MATRIX])
    matrix["cells"]["research"]["general"]["tier"] = "appliance"
    files[MATRIX] = json.dumps(matrix, ensure_ascii=False)
    return files


async def baseline(db: Engine, files: dict[str, str], binary: str) -> float:
    """Seconds per record of plain replays, one by one, on one throw-away OPA."""
    catalog = load_catalog(POLICIES)
    rows = list(repository.iterate_in_order(db, last=BASELINE_RECORDS))
    async with loopback_engine(files, binary=binary) as engine:
        await engine.ensure_in_sync()
        started = time.perf_counter()
        for row in rows:
            await replay_record(to_record(row), policy_engine=engine, catalog=catalog)
        return (time.perf_counter() - started) / len(rows)


def main() -> None:
    binary = find_opa_binary()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        db = make_engine(f"sqlite:///{tmp / 'bench.db'}")
        migrate(db)
        repository.ensure_chain_head(db)
        key = load_or_create(tmp / "key.pem")
        opa = OpaProcess(binary=binary, policies_dir=POLICIES, log_path=tmp / "opa.log")
        opa.start()
        try:
            opa.wait_healthy(30)
            templates = asyncio.run(decide_templates(db, key, opa.url))
        finally:
            opa.stop()
        fill(db, key, templates)
        assert repository.count(db) == RECORDS
        files = candidate_files()
        policy = policy_of_files(files)
        seqs = list(range(1, RECORDS + 1))

        started = time.perf_counter()
        impacts = asyncio.run(
            analyse(db, seqs, policy, catalog=load_catalog(POLICIES), opa_binary=binary)
        )
        impact_seconds = time.perf_counter() - started
        result = summarise(RECORDS, impacts)
        print(f"impact      {RECORDS} records in {impact_seconds:.1f} s", flush=True)

        # "what becomes non-compliant on 2027-01-01": one instant for every record, so
        # records of the same request ask the same question and are evaluated once
        started = time.perf_counter()
        dated = asyncio.run(
            analyse(
                db,
                seqs,
                policy,
                catalog=load_catalog(POLICIES),
                opa_binary=binary,
                evaluate_at=EVALUATE_AT,
            )
        )
        dated_seconds = time.perf_counter() - started
        print(f"evaluate_at {RECORDS} records in {dated_seconds:.1f} s", flush=True)

        per_record = asyncio.run(baseline(db, files, binary))
        baseline_seconds = per_record * RECORDS
        print(f"baseline    {per_record * 1000:.2f} ms per replay", flush=True)
        db.dispose()
    summary = {
        "load_average_1m": round(os.getloadavg()[0], 2),
        "records": RECORDS,
        "distinct_requests": DISTINCT,
        "impact_seconds": round(impact_seconds, 2),
        "impact_records_per_s": round(RECORDS / impact_seconds, 1),
        "baseline_records_measured": min(BASELINE_RECORDS, RECORDS),
        "baseline_ms_per_record": round(per_record * 1000, 2),
        "baseline_seconds_for_all": round(baseline_seconds, 1),
        "ratio": round(baseline_seconds / impact_seconds, 2),
        "evaluate_at_seconds": round(dated_seconds, 2),
        "evaluate_at_ratio": round(baseline_seconds / dated_seconds, 2),
        "evaluate_at_changed": summarise(RECORDS, dated).changed,
        "changed": result.changed,
        "transitions": {t.value: b.count for t, b in result.transitions.items() if b.count},
        "rules": {r.rule_id: [r.added, r.removed, r.changed] for r in result.rules},
        "within_2_minutes": impact_seconds < 120,
        "evaluate_at_within_2_minutes": dated_seconds < 120,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
