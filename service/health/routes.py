"""Liveness (`/healthz`) and readiness (`/readyz`: OPA answering with the policy, DB writable)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from service.api.deps import RuntimeDep
from service.errors import TiergateError
from service.runtime import Runtime

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, dict[str, Any]]


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """Liveness: the process is up."""
    return Health(status="ok")


def _database_writable(runtime: Runtime) -> None:
    # A write that is always rolled back: proves the database accepts writes, stores nothing.
    with runtime.db.connect() as connection, connection.begin() as transaction:
        connection.execute(text("UPDATE chain_head SET seq = seq WHERE id = 1"))
        transaction.rollback()


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """Readiness: OPA answers with the on-disk policy loaded and the database is writable."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        revision = await runtime.policy_engine.ensure_in_sync(fresh=True)
        checks["policy_engine"] = {"ok": True, "revision": revision}
    except TiergateError as exc:
        checks["policy_engine"] = {"ok": False, "detail": exc.message}
    checks["policy_engine"]["restarts"] = runtime.opa_restarts
    try:
        await run_in_threadpool(_database_writable, runtime)
        checks["database"] = {"ok": True}
    except SQLAlchemyError as exc:
        checks["database"] = {"ok": False, "detail": type(exc).__name__}
    ready = all(check["ok"] for check in checks.values())
    body = Readiness(ready=ready, checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
