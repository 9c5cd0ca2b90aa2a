"""The accelerator catalogue as the API shows it (the data lives under policies/)."""

from __future__ import annotations

from service.catalog.models import AcceleratorEntry, CatalogResponse
from service.sizing.catalog import Catalog
from service.workloads.models import Precision


def list_accelerators(catalog: Catalog) -> CatalogResponse:
    items = []
    for acc in catalog:
        raw = acc.raw
        why = acc.unusable_reason(Precision.bf16)
        items.append(
            AcceleratorEntry(
                id=acc.id,
                vendor=acc.vendor,
                name=acc.name,
                domestic=acc.domestic,
                memory_gb=acc.memory_gb,
                memory_bw_gbps=acc.memory_bw_gbps,
                peak_tflops_dense=dict(raw.get("peak_tflops_dense") or {}),
                devices_per_node=acc.devices_per_node,
                export_status_cn=dict(raw.get("export_status_cn") or {}),
                import_stance_cn=list(raw.get("import_stance_cn") or []),
                us_gp10_presumption=list(raw.get("us_gp10_presumption") or []),
                supply=dict(raw.get("supply") or {"status": acc.supply}),
                rental_indicative=raw.get("rental_indicative"),
                recommendable=why is None,
                not_recommendable_reason=why,
                sources=list(raw.get("sources") or []),
                notes=str(raw.get("notes") or ""),
            )
        )
    return CatalogResponse(source=catalog.source, count=len(items), items=items)
