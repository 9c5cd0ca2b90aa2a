"""footprint.least_total: the lower bound the plan search uses to pass over device counts that
cannot fit must never exceed a layout's real total, and must be tight enough to prune."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from pydantic import ValidationError

from service.sizing import footprint, planner
from service.sizing.job import resolve_job
from service.sizing.memory import Layout, Offload
from service.sizing.models import SizingRequest
from service.workloads.models import Workload
from tests.sizing.strategies import requests

COUNTS = (1, 2, 4, 8, 16, 24, 64, 384, 4096)


def _bound(job: Any, count: int, node: int, fixed: planner.Fixed, offload: Offload) -> float:
    tps = [fixed.tp] if fixed.tp else [1, 2, 4, 8][: min(count // fixed.cp, node).bit_length()]
    return footprint.least_total(
        job, count=count, tps=tps, offload=offload, cp=fixed.cp, ep=fixed.ep
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(body=requests)
def test_the_bound_is_below_every_layout_of_the_count(body: dict[str, Any]) -> None:
    try:
        request = SizingRequest.model_validate(body)
    except ValidationError:
        assume(False)
        raise
    job = resolve_job(request.workload, request.accounting)
    plan = request.plan
    cp, ep = (plan.cp, plan.ep) if plan is not None else (1, 1)
    for node in (4, 8):
        fixed = planner.Fixed(cp=cp, ep=ep)
        for offload in planner._offloads(job, fixed):
            for count in COUNTS:
                if count % cp:
                    continue
                bound = _bound(job, count, node, fixed, offload)
                for layout in planner.layouts_for(job, count, node, offload, fixed):
                    total = footprint.device_memory(job, layout).total
                    assert bound <= total, (layout, bound, total)


def test_the_bound_prunes_counts_too_small_for_the_model_states() -> None:
    """175B pretraining: one device is far beyond any part, and the bound at 64 devices lies
    within 15 % below the smallest layout there."""
    job = resolve_job(
        Workload.model_validate(
            {"model": {"params_b": 175}, "task": "pretrain", "train_tokens": 3e11}
        )
    )
    fixed = planner.Fixed()
    assert _bound(job, 1, 8, fixed, Offload.none) > 3000e9
    floor = min(
        footprint.device_memory(job, layout).total
        for layout in planner.layouts_for(job, 64, 8, Offload.none, fixed)
    )
    assert 0.85 * floor < _bound(job, 64, 8, fixed, Offload.none) <= floor


def test_one_device_bound_sits_just_below_the_exact_total() -> None:
    """Where the bound and the total are the same sum (one device, nothing sharded), rounding
    must not lift the bound above it: BOUND_SLACK keeps it below."""
    job = resolve_job(Workload.model_validate({"model": {"params_b": 7}, "task": "inference"}))
    total = footprint.device_memory(job, Layout()).total
    bound = _bound(job, 1, 8, planner.Fixed(), Offload.none)
    assert total * (1 - 1e-8) < bound <= total
