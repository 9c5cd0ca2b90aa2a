"""Response models of the accelerator catalogue."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AcceleratorEntry(BaseModel):
    id: str
    vendor: str
    name: str
    domestic: bool
    memory_gb: float | None
    memory_bw_gbps: float | None
    peak_tflops_dense: dict[str, float | None]
    devices_per_node: int
    export_status_cn: dict[str, Any]
    supply: dict[str, Any] = Field(
        description="`status` doubtful or not_flagged, with the sourced detail when doubtful."
    )
    rental_indicative: dict[str, Any] | None
    recommendable: bool = Field(description="False when memory or 16-bit compute is unsourced.")
    not_recommendable_reason: str | None
    sources: list[dict[str, Any]]
    notes: str = ""


class CatalogResponse(BaseModel):
    source: str
    count: int
    items: list[AcceleratorEntry]
