"""Impact use cases: pick the candidate policy, choose the records, start a job, export the
records it flips. Nothing here writes to the decision log."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from service.decisions import repository
from service.decisions.repository import DecisionFilter
from service.errors import InvalidBundle, InvalidInput
from service.impact.analysis import analyse
from service.impact.compare import RecordImpact
from service.impact.jobs import ImpactJobs, Job
from service.impact.models import Candidate, Filters
from service.opa.client import PolicyEngine
from service.opa.loopback import check_files
from service.opa.revision import DiskPolicy, UnreadablePolicyFile, policy_of_files
from service.policies import archive, bundles
from service.sizing.catalog import Catalog


def bundle_candidate(content: bytes, *, name: str, opa_binary: str) -> tuple[Candidate, DiskPolicy]:
    """An uploaded bundle as a candidate; 400 naming the file and OPA's error when OPA would
    not load it."""
    files = bundles.unpack(content, name=name)
    try:
        policy = policy_of_files(files)
    except UnreadablePolicyFile as exc:
        raise InvalidBundle(f"{name}: {exc.path}: {exc.reason}", field="bundle") from exc
    check_candidate(policy, name=name, opa_binary=opa_binary)
    return Candidate(kind="bundle", revision=policy.revision, name=name), policy


def check_candidate(policy: DiskPolicy, *, name: str, opa_binary: str) -> None:
    """400 naming the file and OPA's error when OPA would not load the candidate."""
    problem = check_files(opa_binary, policy.files)
    if problem is not None:
        raise InvalidBundle(f"{name}: OPA rejects it: {problem}", field="bundle")


def revision_candidate(db: Engine, revision: str) -> tuple[Candidate, DiskPolicy]:
    """An archived revision as a candidate (404 when it is not archived)."""
    return Candidate(kind="revision", revision=revision), archive.policy(db, revision)


async def current_candidate(policy_engine: PolicyEngine) -> tuple[Candidate, DiskPolicy]:
    """The policy served now (replayed on a separate OPA, not on the one that decides)."""
    revision = await policy_engine.ensure_in_sync()
    policy = policy_engine.disk_policy
    if policy.revision != revision:
        raise InvalidInput("the policy files changed while the job started; try again")
    return Candidate(kind="current", revision=revision), policy


def select(db: Engine, filters: Filters) -> list[int]:
    """Chain positions of the records the job replays."""
    if filters.since and filters.until and filters.since >= filters.until:
        raise InvalidInput("since must be before until", field="since")
    return repository.matching_seqs(
        db,
        filters=DecisionFilter(
            sector=filters.sector,
            verdict=filters.verdict,
            since=filters.since,
            until=filters.until,
        ),
        limit=filters.limit,
    )


async def start(
    jobs: ImpactJobs,
    db: Engine,
    *,
    candidate: Candidate,
    policy: DiskPolicy,
    filters: Filters,
    evaluate_at: datetime | None,
    catalog: Catalog,
    opa_binary: str,
) -> Job:
    seqs = await run_in_threadpool(select, db, filters)

    async def work(job: Job) -> list[RecordImpact]:
        return await analyse(
            db,
            seqs,
            policy,
            catalog=catalog,
            opa_binary=opa_binary,
            evaluate_at=evaluate_at,
            on_progress=job.progress,
        )

    return jobs.start(
        candidate=candidate,
        filters=filters,
        evaluate_at=evaluate_at,
        total=len(seqs),
        work=work,
    )


CSV_COLUMNS = [
    "decision_id",
    "created_at",
    "evaluated_at",
    "transitions",
    "verdict_before",
    "verdict_after",
    "minimum_tier_before",
    "minimum_tier_after",
    "rules_added",
    "rules_removed",
    "rules_changed",
]


def changes_csv(impacts: list[RecordImpact]) -> Iterator[str]:
    """Every record a job found changed, in chain order, one CSV row each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    yield out.getvalue()
    for impact in sorted(impacts, key=lambda i: i.seq):
        out.seek(0)
        out.truncate()

        def rules(change: str, rules: dict[str, str] = impact.rules) -> str:
            return " ".join(sorted(r for r, c in rules.items() if c == change))

        writer.writerow(
            [
                impact.decision_id,
                impact.created_at,
                impact.evaluation_time,
                " ".join(t.value for t in impact.transitions),
                *impact.verdict,
                *impact.minimum_tier,
                rules("added"),
                rules("removed"),
                rules("changed"),
            ]
        )
        yield out.getvalue()
