"""GET /v1/catalog/accelerators."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from service.main import create_app
from service.settings import PROJECT_ROOT
from service.sizing.catalog import CATALOG_RELATIVE, load_catalog


def test_catalogue_lists_every_part_with_sources_export_and_price(make_settings) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(make_settings())) as client:
        data = client.get("/v1/catalog/accelerators").json()
    catalog = load_catalog(PROJECT_ROOT / "policies")
    assert data["count"] == len(catalog) == len(data["items"])
    by_id = {item["id"]: item for item in data["items"]}
    h100 = by_id["nvidia-h100-sxm"]
    assert h100["memory_gb"] == 80 and h100["sources"]
    assert h100["export_status_cn"]["status"] == "licence_required"
    assert [e["review_policy"] for e in h100["export_status_cn"]["history"]] == [
        "presumption_of_denial",
        "case_by_case",
    ]
    assert by_id["nvidia-h20"]["import_stance_cn"][0]["effective_from"].startswith("2025-07-31")
    assert by_id["huawei-ascend-910c"]["us_gp10_presumption"][0]["sources"]
    assert h100["import_stance_cn"] == [] and h100["us_gp10_presumption"] == []
    assert h100["rental_indicative"]["usd_per_gpu_hour"] > 0
    assert h100["recommendable"] is True
    assert by_id["huawei-atlas-800t-a2"]["recommendable"] is False
    assert by_id["huawei-atlas-800t-a2"]["not_recommendable_reason"]
    biren = by_id["biren-br100"]["supply"]
    assert biren["status"] == "doubtful" and "TSMC" in biren["detail"] and biren["sources"]
    assert h100["supply"]["status"] == "not_flagged"


def test_catalog_is_cached_and_unknown_ids_are_invalid_input() -> None:
    import pytest

    from service.errors import InvalidInput

    a = load_catalog(PROJECT_ROOT / "policies")
    assert a is load_catalog(PROJECT_ROOT / "policies")
    with pytest.raises(InvalidInput) as info:
        a.get("nope")
    assert info.value.field == "plan.accelerator"
    assert "nvidia-h100-sxm" in a


def test_catalogue_is_the_one_of_the_policies_the_app_serves(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    policies = tmp_path / "policies"
    shutil.copytree(PROJECT_ROOT / "policies", policies)
    catalog_file = policies / CATALOG_RELATIVE
    document = json.loads(catalog_file.read_text())
    kept = sorted(document["by_id"])[:2]
    document["by_id"] = {key: document["by_id"][key] for key in kept}
    catalog_file.write_text(json.dumps(document))
    app = create_app(make_settings(policies_dir=policies))
    # FastAPI rebuilds every dependency on every request once any override is set (~2 ms CPU
    # per decision): the app must not need one to serve its own catalogue.
    assert app.dependency_overrides == {}
    with TestClient(app) as client:
        items = client.get("/v1/catalog/accelerators").json()["items"]
    assert sorted(item["id"] for item in items) == kept
