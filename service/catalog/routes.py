"""HTTP surface of the accelerator catalogue."""

from __future__ import annotations

from fastapi import APIRouter

from service.api.deps import CatalogDep
from service.catalog.models import CatalogResponse
from service.catalog.service import list_accelerators

router = APIRouter(prefix="/v1/catalog", tags=["catalog"])


@router.get("/accelerators", response_model=CatalogResponse)
def get_accelerators(catalog: CatalogDep) -> CatalogResponse:
    """The accelerator catalogue with sources, export status and indicative rental price."""
    return list_accelerators(catalog)
