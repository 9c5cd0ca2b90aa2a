"""scripts/build_catalog.py: prose in the reference catalogue becomes machine-readable fields."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

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


def test_policy_data_is_a_fresh_build_of_the_in_repo_reference() -> None:
    """policies/.../accelerators/data.json is generated: it must equal a build of
    reference/hardware-catalog.json (run scripts/build_catalog.py after editing the reference)."""
    import json

    build = _build_module()
    assert build.DEFAULT_REFERENCE == PROJECT_ROOT / "reference" / "hardware-catalog.json"
    reference = json.loads(build.DEFAULT_REFERENCE.read_text(encoding="utf-8"))
    committed = json.loads(build.DEFAULT_OUT.read_text(encoding="utf-8"))
    assert committed == build.build(reference)


def _part(**fields: object) -> dict[str, object]:
    return {"id": "x", "vendor": "v", "name": "n", "domestic": False, **fields}


_SOURCE = [{"title": "t", "url": "https://example.org/rule"}]


def test_export_status_summarises_the_latest_dated_entry_and_keeps_the_history() -> None:
    build = _build_module()
    history = [
        {
            "status": "licence_required",
            "review_policy": "presumption_of_denial",
            "effective_from": "2023-11-17T00:00:00-05:00",
            "effective_until": "2026-01-15T00:00:00-05:00",
            "confidence": "rule",
            "sources": _SOURCE,
        },
        {
            "status": "licence_required",
            "review_policy": "case_by_case",
            "effective_from": "2026-01-15T00:00:00-05:00",
            "confidence": "inferred",
            "sources": _SOURCE,
        },
    ]
    status = build._export_status(_part(export_history_cn=history))
    assert status["status"] == "licence_required"
    assert status["review_policy"] == "case_by_case"
    assert status["since"] == "2026-01-15"
    assert status["basis"] == "judgement"
    assert status["history"] == [{**e, "sources": ["https://example.org/rule"]} for e in history]
    assert status["sources"] == ["https://example.org/rule"]
    assert build._export_status(_part())["status"] == "unrestricted"


@pytest.mark.parametrize(
    ("history", "reason"),
    [
        ([{"review_policy": "case_by_case", "sources": _SOURCE}], "effective_from must be"),
        (
            [{"effective_from": "2026-01-15", "review_policy": "case_by_case", "sources": _SOURCE}],
            "has no UTC offset",
        ),
        (
            [
                {
                    "effective_from": "2026-01-15T00:00:00Z",
                    "review_policy": "prohibited",
                    "sources": _SOURCE,
                }
            ],
            "review_policy must be one of",
        ),
        (
            [{"effective_from": "2026-01-15T00:00:00Z", "review_policy": "case_by_case"}],
            "no source",
        ),
        (
            [
                {
                    "effective_from": "2025-01-01T00:00:00Z",
                    "review_policy": "case_by_case",
                    "sources": _SOURCE,
                },
                {
                    "effective_from": "2026-01-01T00:00:00Z",
                    "review_policy": "case_by_case",
                    "sources": _SOURCE,
                },
            ],
            "overlaps the entry before it",
        ),
        (
            [
                {
                    "effective_from": "2026-01-01T00:00:00Z",
                    "effective_until": "2025-01-01T00:00:00Z",
                    "review_policy": "case_by_case",
                    "sources": _SOURCE,
                }
            ],
            "ends before it starts",
        ),
    ],
)
def test_a_history_the_policies_could_misread_is_refused(
    history: list[dict[str, object]], reason: str
) -> None:
    build = _build_module()
    with pytest.raises(build.CatalogError, match=reason):
        build._export_status(_part(export_history_cn=history))
