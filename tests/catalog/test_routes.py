"""GET /v1/catalog/accelerators."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from service.catalog.routes import router
from service.settings import PROJECT_ROOT
from service.sizing.catalog import load_catalog


def test_catalogue_lists_every_part_with_sources_export_and_price() -> None:
    app = FastAPI()
    app.include_router(router)
    data = TestClient(app).get("/v1/catalog/accelerators").json()
    catalog = load_catalog(PROJECT_ROOT / "policies")
    assert data["count"] == len(catalog) == len(data["items"])
    by_id = {item["id"]: item for item in data["items"]}
    h100 = by_id["nvidia-h100-sxm"]
    assert h100["memory_gb"] == 80 and h100["sources"]
    assert h100["export_status_cn"]["status"] == "licence_required"
    assert h100["rental_indicative"]["usd_per_gpu_hour"] > 0
    assert h100["recommendable"] is True
    assert by_id["huawei-atlas-800t-a2"]["recommendable"] is False
    assert by_id["huawei-atlas-800t-a2"]["not_recommendable_reason"]


def test_catalog_is_cached_and_unknown_ids_are_invalid_input() -> None:
    import pytest

    from service.errors import InvalidInput

    a = load_catalog(PROJECT_ROOT / "policies")
    assert a is load_catalog(PROJECT_ROOT / "policies")
    with pytest.raises(InvalidInput) as info:
        a.get("nope")
    assert info.value.field == "plan.accelerator"
    assert "nvidia-h100-sxm" in a
