"""Every published figure in the public sizing cases (tests/sizing/data, a verbatim copy of
shared/reference/sizing-public-cases.json), through the formulas."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from service.settings import PROJECT_ROOT
from service.sizing.catalog import Catalog, load_catalog

SCRIPT = PROJECT_ROOT / "scripts" / "sizing_cases.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sizing_cases", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


CASES_MODULE = _script()
CASES_PATH: Path = CASES_MODULE.DEFAULT_CASES
CASES: list[dict[str, Any]] = json.loads(CASES_PATH.read_text())


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(PROJECT_ROOT / "policies")


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_within_tolerance(case: dict[str, Any], catalog: Catalog) -> None:
    got, error, ok = CASES_MODULE.evaluate(case, catalog)
    assert ok, f"{case['id']}: got {got:.4g}, expected {case['expected']}, error {error:+.1%}"


def test_overall_score_at_least_90_percent(catalog: Catalog) -> None:
    scored = [c for c in CASES if c.get("use_in_scoring", True)]
    passed = sum(CASES_MODULE.evaluate(c, catalog)[2] for c in scored)
    assert passed >= 0.9 * len(scored)
