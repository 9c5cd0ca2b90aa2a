"""Score the sizing engine against published figures, sending each case's stated setup only.

Usage: python scripts/sizing_cases.py [CASES_JSON]

Prints, for every case, the expected and predicted value, the error, the tolerance and the
verdict, then the score. Exit status 0 when at least 90 % of the scored cases pass (the issue-12
target), else 1.

The mapping is `stated`, nothing else: each case carries a `stated` object in the request
vocabulary of `POST /v1/sizing` (`workload`, `plan`, `accounting`, `hours_basis`: the fields of
service/sizing/models.py and service/workloads/models.py) holding exactly the setup its source
states. The script never
reads a case's source, quote, notes, id or expected value to build the request, never fills in a
count, and never picks a registry model: a case names a known model in
`stated.workload.model.name` only where its source names that model. A stated field the API
cannot express yet (validation refuses it) makes the case *not expressible yet*: it is listed
separately with the refusal and counts as not passed — it is never dropped to make the request
valid. A quantity the result does not carry (e.g. host memory without an accelerator) is *not
answerable* and likewise counts as not passed.

Case fields (tests/sizing/data/sizing-public-cases.json — the 38 cases of the project's original
public sizing set, copied in and each given its `stated` request, plus the cases found for issue
12, which carry `quote` and `tolerance_why`):
- `id`: unique, stable.
- `source`: where the figure is published (URL or paper + table/section); `quote`: the figure as
  published, verbatim (the 38 original cases predate this field; their `notes` say what the
  source prints). `quote_verbatim: false` marks a quote reconstructed from a table layout or from
  a secondary reproduction rather than copied from the primary text.
- `kind`: `measured` (a run reported it), `estimate` (a tool or table estimates it) or `formula`
  (a closed form evaluated by the source); `derived: true` marks figures re-derived by us.
- `quantity`: what is compared — `job_memory` (memory_gb.total, the whole job),
  `device_memory` (per_device_gb.total: what must fit, e.g. an OOM), `device_tensors` (the
  total less the CUDA context and allocator reserve: what `torch.cuda.max_memory_allocated()`
  reports, for sources that print it), `device_model_states` (per-device weights + gradients +
  optimizer states), `device_weights`, `device_kv_cache`, `host_memory` (CPU RAM per node),
  `gpu_hours`, `wall_hours`, `training_flops`, `mfu` (fraction of peak, model FLOPs:
  recomputation excluded), `hfu` (fraction of peak, recomputation counted).
- `expected` in `unit`: `GB` (10^9 B), `GiB`, `MiB`, `MB`, `GPU-hours`, `hours`, `FLOPs`,
  `fraction`; `unit_note` says how the unit was read from the source.
- `tolerance_pct` and `tolerance_why` (why that tolerance).
- `bound`: `point` (|error| ≤ tolerance), `upper` (the published figure is a ceiling: pass when
  predicted ≤ expected·(1 + tolerance)), `lower` (a floor: pass when predicted ≥
  expected·(1 − tolerance)).
- `stated`: the request, as above. `use_in_scoring` (default true).
- `in_engine_calibration: true`: the engine's utilisation prior is fitted to this very run
  (service/sizing/data/mfu_calibration.json as of 366ce4f), so the case is in-sample; the score is
  also printed without these cases.
Other fields (model_params_b, method, precision, gpus, …) describe the case for a reader; the
script does not read them.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from service.errors import InvalidInput
from service.settings import PROJECT_ROOT
from service.sizing.catalog import Catalog, load_catalog
from service.sizing.models import SizingRequest, SizingResult
from service.sizing.service import size_request

DEFAULT_CASES = PROJECT_ROOT / "tests" / "sizing" / "data" / "sizing-public-cases.json"
TARGET_FRACTION = 0.9  # issue 12, "Done when"

GB = 1e9
# Engine results are in GB (10^9 bytes); a case's unit converts them.
UNIT_SCALE = {
    "GB": 1.0,
    "GiB": GB / 2**30,
    "MiB": GB / 2**20,
    "MB": 1000.0,
    "GPU-hours": 1.0,
    "hours": 1.0,
    "FLOPs": 1.0,
    "fraction": 1.0,
}
MEMORY_UNITS = frozenset({"GB", "GiB", "MiB", "MB"})


def _model_states(r: SizingResult) -> float:
    d = r.per_device_gb
    return d.weights + d.gradients + d.optimizer_states


def _tensors(r: SizingResult) -> float:
    """What `torch.cuda.max_memory_allocated()` counts: tensors only — no CUDA context and no
    caching-allocator reserve (PyTorch docs: "the maximum GPU memory occupied by tensors"), i.e.
    the per-device total less the engine's overhead."""
    d = r.per_device_gb
    return d.total - d.overhead


# quantity → (reader of the result, whether it is a memory figure)
QUANTITIES: dict[str, tuple[Callable[[SizingResult], float | None], bool]] = {
    "job_memory": (lambda r: r.memory_gb.total, True),
    "device_memory": (lambda r: r.per_device_gb.total, True),
    "device_tensors": (_tensors, True),
    "device_model_states": (_model_states, True),
    "device_weights": (lambda r: r.per_device_gb.weights, True),
    "device_kv_cache": (lambda r: r.per_device_gb.kv_cache, True),
    "host_memory": (lambda r: r.host_memory_gb, True),
    "gpu_hours": (lambda r: r.gpu_hours, False),
    "wall_hours": (lambda r: r.estimated_hours, False),
    "training_flops": (lambda r: r.train_flops, False),
    "mfu": (lambda r: r.assumptions.mfu, False),
    "hfu": (lambda r: r.assumptions.hfu, False),
}

PASS, MISS, NOT_EXPRESSIBLE, NOT_ANSWERABLE, REFUSED = (
    "pass",
    "MISS",
    "not expressible yet",
    "not answerable",
    "refused",
)


@dataclass(frozen=True)
class Outcome:
    case_id: str
    expected: float
    unit: str
    tolerance_pct: float
    bound: str
    status: str
    predicted: float | None = None
    error: float | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == PASS


def stated_request(case: dict[str, Any]) -> dict[str, Any]:
    """The request body of a case: its `stated` object, copied, and nothing else."""
    return copy.deepcopy(case["stated"])


def build_request(case: dict[str, Any]) -> SizingRequest:
    """The validated request; raises ValidationError when the API cannot express the case."""
    return SizingRequest.model_validate(stated_request(case))


def _refusal(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    )


def within(bound: str, predicted: float, expected: float, tolerance_pct: float) -> bool:
    tol = tolerance_pct / 100
    if bound == "upper":
        return predicted <= expected * (1 + tol)
    if bound == "lower":
        return predicted >= expected * (1 - tol)
    if bound == "point":
        return abs(predicted - expected) <= tol * abs(expected)
    raise ValueError(f"unknown bound {bound!r}")


def evaluate(case: dict[str, Any], catalog: Catalog) -> Outcome:
    base = {
        "case_id": case["id"],
        "expected": float(case["expected"]),
        "unit": case["unit"],
        "tolerance_pct": float(case["tolerance_pct"]),
        "bound": case.get("bound", "point"),
    }
    read, is_memory = QUANTITIES[case["quantity"]]
    if case["unit"] not in UNIT_SCALE or (case["unit"] in MEMORY_UNITS) != is_memory:
        raise ValueError(f"{case['id']}: unit {case['unit']!r} does not fit {case['quantity']}")
    try:
        request = build_request(case)
        result = size_request(request, catalog=catalog)
    except ValidationError as exc:
        return Outcome(**base, status=NOT_EXPRESSIBLE, reason=_refusal(exc))
    except InvalidInput as exc:
        return Outcome(**base, status=REFUSED, reason=str(exc))
    raw = read(result)
    if raw is None:
        return Outcome(**base, status=NOT_ANSWERABLE, reason=f"result has no {case['quantity']}")
    predicted = raw * UNIT_SCALE[case["unit"]]
    error = (predicted - base["expected"]) / base["expected"]
    ok = within(base["bound"], predicted, base["expected"], base["tolerance_pct"])
    return Outcome(**base, status=PASS if ok else MISS, predicted=predicted, error=error)


def scored(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in cases if c.get("use_in_scoring", True)]


def load_cases(path: Path = DEFAULT_CASES) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return cases


def _row(o: Outcome) -> str:
    got = f"{o.predicted:.4g}" if o.predicted is not None else "-"
    err = f"{o.error:+.1%}" if o.error is not None else "-"
    bound = "" if o.bound == "point" else f" ({o.bound})"
    line = (
        f"{o.case_id:<34} {o.expected:>11.4g} {got:>11} {o.unit:<9} {err:>8} "
        f"{o.tolerance_pct:>4g}%{bound:<8} {o.status}"
    )
    return line + (f"\n{'':<36}{o.reason}" if o.reason else "")


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CASES
    catalog = load_catalog(PROJECT_ROOT / "policies")
    outcomes = [evaluate(case, catalog) for case in scored(load_cases(path))]
    print(f"{'case':<34} {'expected':>11} {'predicted':>11} {'unit':<9} {'error':>8} tol")
    for o in outcomes:
        print(_row(o))
    passed = sum(o.ok for o in outcomes)
    by_status = {
        s: [o for o in outcomes if o.status == s]
        for s in (MISS, NOT_EXPRESSIBLE, NOT_ANSWERABLE, REFUSED)
    }
    answered = [o for o in outcomes if o.predicted is not None]
    print()
    for status, items in by_status.items():
        if items:
            print(f"{status}: {len(items)} — {', '.join(o.case_id for o in items)}")
    print(
        f"score: {passed}/{len(outcomes)} within tolerance ({passed / len(outcomes):.1%}); "
        f"of the {len(answered)} the engine could answer: {passed}/{len(answered)}"
    )
    fitted = {c["id"] for c in load_cases(path) if c.get("in_engine_calibration")}
    held = [o for o in outcomes if o.case_id not in fitted]
    held_passed = sum(o.ok for o in held)
    print(
        f"without the {len(outcomes) - len(held)} cases the engine is calibrated on: "
        f"{held_passed}/{len(held)} ({held_passed / len(held):.1%})"
    )
    return 0 if passed >= TARGET_FRACTION * len(outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
