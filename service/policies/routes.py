"""What an auditor reads about the policy: revision, engine, the rule catalogue, and the
archive of every revision served."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from service.api.deps import DbDep, PolicyEngineDep
from service.api.schemas import error_responses
from service.policies import archive
from service.policies.models import PolicyInfo, RevisionList, RevisionManifest, RuleInfo
from service.roles import Role, requires

router = APIRouter(prefix="/v1/policies", tags=["policies"])

RevisionPath = Annotated[
    str, Path(pattern=r"^[0-9a-f]{64}$", description="A revision digest (64 hex digits).")
]


@router.get(
    "",
    response_model=PolicyInfo,
    responses=error_responses(503),
    dependencies=[requires(Role.auditor)],
)
async def get_policies(engine: PolicyEngineDep) -> PolicyInfo:
    """Policy revision, engine version and the rule catalogue from the rules' METADATA."""
    revision = await engine.ensure_in_sync()
    rules = [RuleInfo.model_validate(rule) for rule in await engine.catalogue()]
    return PolicyInfo(revision=revision, engine_version=await engine.engine_version(), rules=rules)


@router.get(
    "/revisions",
    response_model=RevisionList,
    dependencies=[requires(Role.auditor, Role.policy_author)],
)
def list_policy_revisions(db: DbDep) -> RevisionList:
    """Every policy revision this service has served, oldest first."""
    return RevisionList(items=archive.list_revisions(db))


@router.get(
    "/revisions/{revision}",
    response_model=RevisionManifest,
    responses=error_responses(404),
    dependencies=[requires(Role.auditor, Role.policy_author)],
)
def get_policy_revision(revision: RevisionPath, db: DbDep) -> RevisionManifest:
    """The manifest of an archived revision: each file with its SHA-256."""
    return archive.manifest(db, revision)


@router.get(
    "/revisions/{revision}/bundle",
    responses={
        200: {
            "description": "tar.gz of the revision's files (and a .manifest naming it); OPA "
            "serves it as it is (`opa run --server --bundle FILE`).",
            "content": {"application/gzip": {}},
        },
        **error_responses(404),
    },
    dependencies=[requires(Role.auditor, Role.policy_author)],
)
async def get_policy_revision_bundle(revision: RevisionPath, db: DbDep) -> Response:
    """The archived revision as a bundle whose files re-digest to exactly that revision."""
    content = await run_in_threadpool(archive.bundle, db, revision)
    return Response(
        content,
        media_type="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="policy-{revision[:12]}.tar.gz"'},
    )
