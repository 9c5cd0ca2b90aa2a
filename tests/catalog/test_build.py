"""scripts/build_catalog.py: prose in the reference catalogue becomes machine-readable fields."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from service.settings import PROJECT_ROOT


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_catalog", PROJECT_ROOT / "scripts" / "build_catalog.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_doubtful_supply_is_read_from_the_reference_prose_with_its_source() -> None:
    build = _build_module()
    doubtful = {
        "id": "x",
        "export_restricted_cn": {
            "restricted": False,
            "status": "Chinese-designed; the foundry stopped, so availability is doubtful.",
        },
        "sources": [{"fields": ["export_restricted_cn"], "url": "https://example.org/a"}],
    }
    assert build._supply(doubtful) == {
        "status": "doubtful",
        "detail": "the foundry stopped, so availability is doubtful",
        "sources": ["https://example.org/a"],
    }
    plain = {"id": "y", "export_restricted_cn": {"status": "Supply is constrained."}}
    assert build._supply(plain)["status"] == "not_flagged"
    assert build._supply({"id": "z"})["status"] == "not_flagged"
