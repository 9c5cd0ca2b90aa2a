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
    export_status_cn: dict[str, Any] = Field(
        description=(
            "US export licensing for China: `history` is the dated record the policies read "
            "against the decision's evaluation time (status, review_policy presumption_of_denial "
            "/ case_by_case / not_published, effective_from, effective_until, sources); status, "
            "review_policy and since summarise its latest entry."
        )
    )
    import_stance_cn: list[dict[str, Any]] = Field(
        description="Dated China-side import stance (customs or CAC guidance), with sources."
    )
    us_gp10_presumption: list[dict[str, Any]] = Field(
        description="Dated BIS presumption that using the part abroad may violate GP10."
    )
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
