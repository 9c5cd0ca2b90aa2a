"""Liveness (`/healthz`) and readiness (`/readyz`: OPA answering with the policy, DB writable)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from service.api.deps import DbDep, OpaRestartsDep, PolicyEngineDep
from service.db import probe_writable
from service.errors import TiergateError

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, dict[str, Any]]


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """Liveness: the process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(
    policy_engine: PolicyEngineDep, db: DbDep, opa_restarts: OpaRestartsDep
) -> JSONResponse:
    """Readiness: OPA answers with the on-disk policy loaded and the database is writable."""
    checks: dict[str, dict[str, Any]] = {}
    try:
        revision = await policy_engine.ready()
        checks["policy_engine"] = {"ok": True, "revision": revision}
    except TiergateError as exc:
        checks["policy_engine"] = {"ok": False, "detail": exc.message}
    checks["policy_engine"]["restarts"] = opa_restarts
    try:
        await run_in_threadpool(probe_writable, db)
        checks["database"] = {"ok": True}
    except SQLAlchemyError as exc:
        checks["database"] = {"ok": False, "detail": _storage_detail(exc)}
    ready = all(check["ok"] for check in checks.values())
    body = Readiness(ready=ready, checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


def _storage_detail(exc: SQLAlchemyError) -> str:
    """The error class and the driver's first line (e.g. "database or disk is full")."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {reason[0][:200]}" if reason else type(exc).__name__
