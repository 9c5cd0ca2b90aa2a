"""Impact jobs of one service process, kept in memory.

A job lives as long as the process that runs it (a restart forgets it; with several workers
or replicas, GET must reach the process that took the POST — the README says so). One job
runs at a time per process: each holds its own OPA and most of a core. The last
`KEEP_FINISHED` finished jobs stay readable.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog

from service.errors import Conflict, NotFound
from service.impact.compare import RecordImpact, summarise
from service.impact.models import (
    Candidate,
    Filters,
    ImpactJob,
    ImpactResult,
    JobStatus,
    Progress,
)

log = structlog.get_logger(__name__)

KEEP_FINISHED = 20

Work = Callable[["Job"], Awaitable[list[RecordImpact]]]


@dataclass
class Job:
    id: str
    candidate: Candidate
    filters: Filters
    evaluate_at: datetime | None
    total: int
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    started: float = field(default_factory=time.monotonic)
    done: int = 0
    status: JobStatus = JobStatus.running
    finished_at: datetime | None = None
    elapsed: float | None = None
    error: str | None = None
    result: ImpactResult | None = None
    impacts: list[RecordImpact] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    def progress(self, done: int) -> None:
        self.done = done

    def view(self) -> ImpactJob:
        elapsed = self.elapsed if self.elapsed is not None else time.monotonic() - self.started
        return ImpactJob(
            id=self.id,
            status=self.status,
            candidate=self.candidate,
            evaluate_at=self.evaluate_at,
            filters=self.filters,
            progress=Progress(done=self.done, total=self.total),
            created_at=self.created_at,
            finished_at=self.finished_at,
            elapsed_seconds=round(elapsed, 3),
            error=self.error,
            result=self.result,
        )

    def _finish(self, status: JobStatus) -> None:
        self.status = status
        self.finished_at = datetime.now(UTC)
        self.elapsed = time.monotonic() - self.started


class ImpactJobs:
    """The jobs of this process: start one, read it, cancel it."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    def start(
        self,
        *,
        candidate: Candidate,
        filters: Filters,
        evaluate_at: datetime | None,
        total: int,
        work: Work,
    ) -> Job:
        running = [j for j in self._jobs.values() if j.status is JobStatus.running]
        if running:
            raise Conflict(
                f"impact job {running[0].id} is still running (one at a time per process); "
                "wait for it or cancel it with DELETE /v1/impact/{job}",
                field="job",
            )
        job = Job(
            id=str(uuid.uuid4()),
            candidate=candidate,
            filters=filters,
            evaluate_at=evaluate_at,
            total=total,
        )
        self._jobs[job.id] = job
        job.task = asyncio.create_task(self._run(job, work), name=f"impact-{job.id}")
        self._forget_old()
        return job

    async def _run(self, job: Job, work: Work) -> None:
        try:
            job.impacts = await work(job)
            job.result = summarise(job.total, job.impacts)
            job._finish(JobStatus.finished)
            log.info("impact_job_finished", job=job.id, total=job.total, seconds=job.elapsed)
        except asyncio.CancelledError:
            job._finish(JobStatus.cancelled)
            raise
        except Exception as exc:  # reported on the job, never half a result
            while isinstance(exc, ExceptionGroup):  # a batch's failure, from the task group
                exc = exc.exceptions[0]
            job.error = f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}"
            job._finish(JobStatus.failed)
            log.warning("impact_job_failed", job=job.id, error=job.error)

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(
                f"no impact job {job_id} in this process (jobs are kept in memory; a restart "
                "forgets them)",
                field="job",
            )
        return job

    def finished(self, job_id: str) -> Job:
        """A finished job (its result and CSV exist); 409 while it runs or when it did not
        finish."""
        job = self.get(job_id)
        if job.status is not JobStatus.finished:
            raise Conflict(f"impact job {job_id} is {job.status.value}, not finished", field="job")
        return job

    async def cancel(self, job_id: str) -> Job:
        job = self.get(job_id)
        if job.status is not JobStatus.running or job.task is None:
            raise Conflict(
                f"impact job {job_id} is already {job.status.value}; only a running job can "
                "be cancelled",
                field="job",
            )
        job.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await job.task
        if job.status is JobStatus.running:  # cancelled before its first step
            job._finish(JobStatus.cancelled)
        return job

    async def close(self) -> None:
        for job in list(self._jobs.values()):
            if job.status is JobStatus.running and job.task is not None:
                job.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await job.task

    def _forget_old(self) -> None:
        done = [j for j in self._jobs.values() if j.status is not JobStatus.running]
        for job in done[:-KEEP_FINISHED] if len(done) > KEEP_FINISHED else []:
            del self._jobs[job.id]
