"""HTTP routes of impact analysis (role policy_author)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from service.api.deps import CatalogDep, DbDep, PolicyEngineDep, SettingsDep
from service.api.schemas import error_responses
from service.api.use_case_deps import ImpactJobsDep
from service.errors import InvalidInput
from service.impact import service
from service.impact.models import Filters, ImpactJob
from service.opa.loopback import loopback_binary
from service.policies.vocabulary import EvaluationTime, Instant, Sector, Verdict
from service.roles import Role, requires

router = APIRouter(prefix="/v1/impact", tags=["impact"])

JobPath = Annotated[str, Path(max_length=36, description="The id POST /v1/impact answered.")]


@router.post(
    "",
    status_code=202,
    response_model=ImpactJob,
    responses=error_responses(400, 404, 409, 503),
    dependencies=[requires(Role.policy_author)],
)
async def start_impact_job(
    db: DbDep,
    policy_engine: PolicyEngineDep,
    catalog: CatalogDep,
    settings: SettingsDep,
    jobs: ImpactJobsDep,
    bundle: Annotated[
        UploadFile | None,
        File(description="Candidate policy: a tar.gz bundle (GET …/bundle, or `opa build`)."),
    ] = None,
    revision: Annotated[
        str | None,
        Form(pattern=r"^[0-9a-f]{64}$", description="Candidate policy: an archived revision."),
    ] = None,
    evaluate_at: Annotated[
        EvaluationTime | None,
        Form(
            description="Evaluate every record at this instant (e.g. a phase-in date) instead "
            "of its own evaluation time. Without bundle or revision: under the current policy."
        ),
    ] = None,
    since: Annotated[Instant | None, Form(description="created_at ≥ since (RFC 3339)")] = None,
    until: Annotated[Instant | None, Form(description="created_at < until (RFC 3339)")] = None,
    sector: Annotated[Sector | None, Form()] = None,
    verdict: Annotated[Verdict | None, Form(description="The recorded verdict.")] = None,
    limit: Annotated[
        int | None, Form(ge=1, le=10_000_000, description="At most this many, the newest.")
    ] = None,
) -> JSONResponse:
    """Start an impact job: replay the matching stored decisions under a candidate policy (an
    uploaded bundle, an archived revision, or the current policy at `evaluate_at`) on a
    separate throw-away OPA; nothing is written to the decision log. Poll GET /v1/impact/{job}."""
    binary = loopback_binary(settings.opa_binary)
    if bundle is not None and revision is not None:
        raise InvalidInput("send a bundle or a revision, not both", field="revision")
    if bundle is not None:
        content = await bundle.read()
        candidate, policy = await run_in_threadpool(  # unpacks and runs `opa check`
            service.bundle_candidate, content, name=bundle.filename or "bundle", opa_binary=binary
        )
    elif revision is not None:
        candidate, policy = await run_in_threadpool(service.revision_candidate, db, revision)
    else:
        candidate, policy = await service.current_candidate(policy_engine)
    job = await service.start(
        jobs,
        db,
        candidate=candidate,
        policy=policy,
        filters=Filters(since=since, until=until, sector=sector, verdict=verdict, limit=limit),
        evaluate_at=evaluate_at,
        catalog=catalog,
        opa_binary=binary,
    )
    return JSONResponse(
        job.view().model_dump(mode="json"),
        status_code=202,
        headers={"Location": f"/v1/impact/{job.id}"},
    )


@router.get(
    "/{job}",
    response_model=ImpactJob,
    responses=error_responses(404),
    dependencies=[requires(Role.policy_author)],
)
async def get_impact_job(job: JobPath, jobs: ImpactJobsDep) -> ImpactJob:
    """Status and progress of an impact job; once finished, its counts and samples."""
    return jobs.get(job).view()


@router.get(
    "/{job}/changes.csv",
    responses={
        200: {"description": "One row per changed record.", "content": {"text/csv": {}}},
        **error_responses(404, 409),
    },
    dependencies=[requires(Role.policy_author)],
)
async def get_impact_changes(job: JobPath, jobs: ImpactJobsDep) -> StreamingResponse:
    """Every record a finished job found changed (409 while it runs)."""
    finished = jobs.finished(job)
    return StreamingResponse(
        service.changes_csv(finished.impacts),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="impact-{job}.csv"'},
    )


@router.delete(
    "/{job}",
    response_model=ImpactJob,
    responses=error_responses(404, 409),
    dependencies=[requires(Role.policy_author)],
)
async def cancel_impact_job(job: JobPath, jobs: ImpactJobsDep) -> ImpactJob:
    """Cancel a running impact job (409 when it has already finished, failed or been
    cancelled)."""
    return (await jobs.cancel(job)).view()
