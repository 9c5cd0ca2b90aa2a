"""The public sizing cases (tests/sizing/data/sizing-public-cases.json) through the honest mapping
of scripts/sizing_cases.py: each case's `stated` request and nothing else."""

from __future__ import annotations

import copy
import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest

from service.settings import PROJECT_ROOT
from service.sizing.catalog import Catalog, load_catalog
from service.sizing.models import SizingRequest

SCRIPT = PROJECT_ROOT / "scripts" / "sizing_cases.py"

# Cases the engine lands within tolerance on today, through the honest mapping. Raise it when the
# physics improves (run `python scripts/sizing_cases.py`); never lower it to get green. The
# issue-12 target is 90 % of the scored cases.
SCORE_FLOOR = 224


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sizing_cases", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


CASES_MODULE = _script()
CASES: list[dict[str, Any]] = CASES_MODULE.load_cases()
NEW_CASE_FIELDS = ("quote", "tolerance_why")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(PROJECT_ROOT / "policies")


def test_case_ids_unique() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_is_well_formed(case: dict[str, Any]) -> None:
    assert case["source"].strip()
    assert case["quantity"] in CASES_MODULE.QUANTITIES
    assert case["unit"] in CASES_MODULE.UNIT_SCALE
    assert case.get("bound", "point") in ("point", "upper", "lower")
    assert case["kind"] in ("measured", "estimate", "formula")
    assert case["expected"] > 0 and case["tolerance_pct"] > 0
    assert set(case["stated"]) <= set(SizingRequest.model_fields)
    if "quote" in case:  # cases found for issue 12 carry the published figure and why the tolerance
        assert all(str(case[f]).strip() for f in NEW_CASE_FIELDS)
        assert isinstance(case.get("quote_verbatim", True), bool)
    assert isinstance(case.get("in_engine_calibration", False), bool)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_gets_a_verdict(case: dict[str, Any], catalog: Catalog) -> None:
    """Every case is answered with a number or says precisely why it cannot be (a field the API
    refuses, a quantity the result lacks) — never an exception."""
    outcome = CASES_MODULE.evaluate(case, catalog)
    if outcome.predicted is None:
        assert outcome.status in (CASES_MODULE.NOT_EXPRESSIBLE, CASES_MODULE.NOT_ANSWERABLE)
        assert outcome.reason
    else:
        assert outcome.status in (CASES_MODULE.PASS, CASES_MODULE.MISS)


EVALUATION_KEYS = ("id", "quantity", "unit", "expected", "tolerance_pct", "bound", "stated")


def test_request_depends_on_stated_only() -> None:
    """Source text, quote, notes and the descriptive fields never reach the request: scrambling
    them leaves it unchanged."""
    for case in CASES:
        scrambled = {
            key: "offload_param=cpu ZeRO T0_3B Mixtral 8x7B pure bf16 2048 A100"
            for key in case
            if key != "stated"
        } | {"stated": case["stated"]}
        assert CASES_MODULE.stated_request(scrambled) == case["stated"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_verdict_needs_nothing_but_stated_and_the_figure(
    case: dict[str, Any], catalog: Catalog
) -> None:
    """Dropping every key but the stated request and the published figure gives the same
    verdict: nothing else (source, quote, notes, model_params_b, gpus, …) is read."""
    bare = {key: case[key] for key in EVALUATION_KEYS if key in case}
    assert CASES_MODULE.evaluate(bare, catalog) == CASES_MODULE.evaluate(case, catalog)


def test_no_count_is_invented(catalog: Catalog) -> None:
    case = {
        "id": "gpu-hours-without-cluster",
        "source": "test",
        "quantity": "gpu_hours",
        "unit": "GPU-hours",
        "expected": 1000.0,
        "tolerance_pct": 25,
        "stated": {
            "workload": {"model": {"params_b": 7}, "task": "pretrain", "train_tokens": 1e12},
            "plan": {"accelerator": "nvidia-a100-80gb-sxm"},
        },
    }
    before = copy.deepcopy(case)
    outcome = CASES_MODULE.evaluate(case, catalog)
    assert case == before
    if outcome.status == CASES_MODULE.NOT_EXPRESSIBLE:  # until the engine searches the count
        assert "plan.count" in outcome.reason
    else:
        assert outcome.predicted is not None


def test_unknown_field_is_not_expressible_and_not_passed(catalog: Catalog) -> None:
    case = {
        "id": "field-the-api-lacks",
        "source": "test",
        "quantity": "job_memory",
        "unit": "GB",
        "expected": 16.0,
        "tolerance_pct": 1000,
        "stated": {"workload": {"model": {"params_b": 7}, "task": "lora", "no_such_field": 1}},
    }
    outcome = CASES_MODULE.evaluate(case, catalog)
    assert outcome.status == CASES_MODULE.NOT_EXPRESSIBLE
    assert "no_such_field" in outcome.reason
    assert not outcome.ok


@pytest.mark.parametrize(
    ("bound", "predicted", "ok"),
    [
        ("point", 110.0, True),
        ("point", 89.0, False),
        ("upper", 50.0, True),
        ("upper", 111.0, False),
        ("lower", 500.0, True),
        ("lower", 89.0, False),
    ],
)
def test_bounds(bound: str, predicted: float, ok: bool) -> None:
    assert CASES_MODULE.within(bound, predicted, 100.0, 10.0) is ok


def test_score_floor(catalog: Catalog) -> None:
    outcomes = [CASES_MODULE.evaluate(c, catalog) for c in CASES_MODULE.scored(CASES)]
    passed = [o.case_id for o in outcomes if o.ok]
    assert len(passed) >= SCORE_FLOOR, (
        f"{len(passed)}/{len(outcomes)} within tolerance, floor {SCORE_FLOOR}; misses: "
        + ", ".join(f"{o.case_id} ({o.status})" for o in outcomes if not o.ok)
    )


def test_script_prints_every_case_and_the_score(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["sizing_cases.py"])
    status = CASES_MODULE.main()
    out = capsys.readouterr().out
    lines = out.splitlines()
    for case in CASES_MODULE.scored(CASES):
        row = next(line for line in lines if line.startswith(case["id"] + " "))
        assert f"{case['tolerance_pct']:g}%" in row
    score = next(line for line in lines if line.startswith("score: "))
    passed, total = (int(n) for n in score.split()[1].split("/"))
    assert total == len(CASES_MODULE.scored(CASES))
    assert status == (0 if passed >= CASES_MODULE.TARGET_FRACTION * total else 1)


def test_device_tensors_is_the_total_less_context_and_allocator_reserve(catalog: Catalog) -> None:
    """torch.cuda.max_memory_allocated() counts tensors only: a case that prints it is compared
    with the per-device total less the engine's overhead (CUDA context + allocator reserve)."""
    case = next(c for c in CASES if c["id"] == "litgpt-lora-llama2-7b-mb1")
    as_total = CASES_MODULE.evaluate(case | {"quantity": "device_memory"}, catalog)
    as_tensors = CASES_MODULE.evaluate(case, catalog)
    result = CASES_MODULE.size_request(CASES_MODULE.build_request(case), catalog=catalog)
    assert case["quantity"] == "device_tensors"
    assert as_total.predicted is not None and as_tensors.predicted is not None
    assert as_total.predicted - as_tensors.predicted == pytest.approx(result.per_device_gb.overhead)
    assert result.per_device_gb.overhead > 1.0  # the 1 GB CUDA context is part of it
