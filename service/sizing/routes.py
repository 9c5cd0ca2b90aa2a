"""HTTP surface of sizing: `POST /v1/sizing` (nothing is recorded)."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import CatalogDep
from service.roles import Role, requires
from service.sizing.models import SizingRequest, SizingResult
from service.sizing.service import size_request

router = APIRouter(prefix="/v1", tags=["sizing"])


@router.post("/sizing", response_model=SizingResult, dependencies=[requires(Role.submitter)])
def post_sizing(request: SizingRequest, catalog: CatalogDep) -> SizingResult:
    """Size a workload: memory, compute, time and feasible plans (or check a fixed plan)."""
    return size_request(request, catalog=catalog)
