"""Plan search and fixed plans: TP within a node, degree validation, offload, does-not-fit."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pydantic import ValidationError

from service.errors import InvalidInput
from service.settings import PROJECT_ROOT
from service.sizing import planner
from service.sizing.catalog import CATALOG_RELATIVE, Catalog, load_catalog
from service.sizing.job import resolve_job
from service.sizing.memory import Offload
from service.sizing.models import Plan
from service.sizing.service import size
from service.workloads.models import Workload


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(PROJECT_ROOT / "policies")


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PROJECT_ROOT / "policies" / CATALOG_RELATIVE).read_text())
    return data


def wl(**kw: Any) -> Workload:
    body: dict[str, Any] = {"model": {"params_b": 7}, "task": "lora"}
    body.update(kw)
    return Workload.model_validate(body)


def test_every_usable_accelerator_gets_one_option_cheapest_first(catalog: Catalog) -> None:
    result = size(wl(train_tokens=1e9), catalog=catalog)
    ids = [o.accelerator for o in result.options]
    assert len(ids) == len(set(ids))
    usable = {a.id for a in catalog if a.memory_gb and (a.peak_bf16 or a.peak_fp16)}
    assert set(ids) == usable
    priced = [o for o in result.options if o.cost_usd is not None]
    assert priced == result.options[: len(priced)]  # known prices rank first
    assert [o.cost_usd for o in priced] == sorted(o.cost_usd or 0 for o in priced)
    unpriced = result.options[len(priced) :]
    available = [o for o in unpriced if o.supply != "doubtful"]
    assert unpriced[: len(available)] == available  # doubtful supply ranks last
    assert [o.count for o in available] == sorted(o.count for o in available)
    assert result.fits is True and result.train_flops and result.estimated_hours


def test_unpriced_ties_prefer_available_supply_then_faster_parts(catalog: Catalog) -> None:
    """Without train_tokens nothing unpriced has hours or a cost: among equal device counts the
    part the catalogue doubts can be bought comes last, and faster parts come first."""
    result = size(wl(), catalog=catalog)
    unpriced = [o for o in result.options if o.usd_per_gpu_hour is None]
    doubtful = [o.accelerator for o in unpriced if o.supply == "doubtful"]
    assert doubtful == ["biren-br100"]
    assert unpriced[-1].accelerator == "biren-br100"
    single = [o for o in unpriced if o.count == 1 and o.supply != "doubtful"]
    assert len(single) > 2
    assert [o.peak_tflops for o in single] == sorted((o.peak_tflops for o in single), reverse=True)
    assert result.options[0].peak_tflops == catalog.get(result.options[0].accelerator).peak_bf16


def test_unsourced_parts_are_never_recommended(catalog: Catalog) -> None:
    result = size(wl(), catalog=catalog)
    ids = {o.accelerator for o in result.options}
    assert "nvidia-l20" not in ids  # memory known, compute unsourced
    assert "huawei-atlas-800t-a2" not in ids  # nothing sourced
    assert any("nvidia-l20" in n for n in result.assumptions.notes)


def test_tensor_parallel_stays_inside_a_node(catalog: Catalog) -> None:
    result = size(
        Workload.model_validate(
            {"model": {"name": "llama-3-70b"}, "task": "full_finetune", "train_tokens": 1e9}
        ),
        catalog=catalog,
    )
    for option in result.options:
        node = catalog.get(option.accelerator).devices_per_node
        p = option.parallelism
        assert p.tp <= node
        assert p.dp * p.tp * p.pp == option.count
        assert option.memory_per_device_gb <= option.device_memory_gb
        assert option.nodes == -(-option.count // node)
    with pytest.raises(InvalidInput) as info:
        size(wl(), Plan(accelerator="nvidia-gb200", count=8, tp=8), catalog=catalog)
    assert info.value.field == "plan.tp"


def test_plan_degrees_must_multiply_to_count() -> None:
    with pytest.raises(ValidationError, match="does not equal count"):
        Plan(accelerator="nvidia-h100-sxm", count=8, tp=2, pp=2, dp=4)
    with pytest.raises(ValidationError, match="not a multiple"):
        Plan(accelerator="nvidia-h100-sxm", count=6, tp=4)
    with pytest.raises(ValidationError, match="zero_stage 3"):
        Plan(count=1, offload=Offload.full, zero_stage=2)


def test_unknown_accelerator_is_invalid_input(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput) as info:
        size(wl(), Plan(accelerator="nvidia-z9000", count=1), catalog=catalog)
    assert info.value.field == "plan.accelerator"


def test_fixed_plan_fits_or_says_why(catalog: Catalog) -> None:
    ok = size(wl(task="qlora"), Plan(accelerator="nvidia-rtx-4090", count=1), catalog=catalog)
    assert ok.fits is True and ok.per_device_gb.total < 24
    full = size(
        wl(task="full_finetune"), Plan(accelerator="nvidia-rtx-4090", count=1), catalog=catalog
    )
    assert full.fits is False
    assert "nvidia-rtx-4090" in (full.reason or "") and "GB" in (full.reason or "")
    sharded = size(
        wl(task="full_finetune"),
        Plan(accelerator="nvidia-h100-sxm", count=8, zero_stage=3),
        catalog=catalog,
    )
    assert sharded.fits is True


def test_offload_moves_states_to_host_ram(catalog: Catalog) -> None:
    base = wl(task="full_finetune", train_tokens=1e8)
    plain = size(
        base, Plan(accelerator="nvidia-a100-80gb-sxm", count=1, zero_stage=0), catalog=catalog
    )
    off = size(
        base,
        Plan(accelerator="nvidia-a100-80gb-sxm", count=1, zero_stage=3, offload=Offload.full),
        catalog=catalog,
    )
    assert plain.fits is False and off.fits is True
    assert off.per_device_gb.optimizer_states == 0
    assert off.host_memory_gb is not None and off.host_memory_gb > 18 * 7 * 1.5 * 0.99
    assert (off.estimated_hours or 0) > (plain.estimated_hours or 0)  # offload costs time


def test_search_falls_back_to_offload_when_nothing_else_fits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _raw()
    data["by_id"] = {"nvidia-rtx-4090": data["by_id"]["nvidia-rtx-4090"]}
    monkeypatch.setattr(planner, "MAX_DEVICES", 8)  # one workstation
    # 70B × 18 B = 1.26 TB cannot sit in 8 × 24 GB; ZeRO-3 with offload to host RAM can.
    result = size(wl(model={"params_b": 70}, task="full_finetune"), catalog=Catalog(data))
    best = result.options[0]
    assert best.offload is not Offload.none and best.count <= 8
    assert best.host_memory_gb > 70 * 16


def test_model_that_fits_nowhere_is_an_explicit_answer() -> None:
    data = copy.deepcopy(_raw())
    data["by_id"] = {"kunlunxin-k200": data["by_id"]["kunlunxin-k200"]}  # 16 GB parts
    result = size(wl(model={"params_b": 100000}, task="full_finetune"), catalog=Catalog(data))
    assert result.fits is False
    assert result.options == []
    assert "does not fit" in (result.reason or "")
    assert result.memory_gb.total > 1e6  # the need is still reported, never a silent zero


def test_deadline_scales_data_parallel_out(catalog: Catalog) -> None:
    slow = size(wl(task="full_finetune", train_tokens=5e10), catalog=catalog)
    fast = size(wl(task="full_finetune", train_tokens=5e10, deadline_hours=24), catalog=catalog)
    h100_slow = next(o for o in slow.options if o.accelerator == "nvidia-h100-sxm")
    h100_fast = next(o for o in fast.options if o.accelerator == "nvidia-h100-sxm")
    assert h100_fast.count > h100_slow.count
    assert h100_fast.meets_deadline is True and (h100_fast.estimated_hours or 99) <= 24


def test_inference_reports_decode_throughput_and_kv(catalog: Catalog) -> None:
    body = {
        "model": {"name": "qwen2.5-7b"},
        "task": "inference",
        "serving": {"concurrent_sequences": 32, "context_len": 8192},
    }
    result = size(Workload.model_validate(body), catalog=catalog)
    # 2 · 28 layers · 4 kv heads · 128 · 8192 tokens · 32 sequences · 2 bytes
    assert result.memory_gb.kv_cache == pytest.approx(
        2 * 28 * 4 * 128 * 8192 * 32 * 2 / 1e9, rel=1e-3
    )
    assert result.train_flops == 0
    with_bw = [o for o in result.options if catalog.get(o.accelerator).memory_bw_gbps]
    assert with_bw and all(o.decode_tokens_per_s for o in with_bw)
    int4 = size(Workload.model_validate({**body, "precision": "int4"}), catalog=catalog)
    assert int4.memory_gb.weights < result.memory_gb.weights / 2.5


def test_derived_architecture_is_flagged(catalog: Catalog) -> None:
    derived = size(wl(), catalog=catalog).assumptions.architecture
    assert derived.derived and "kv_heads" in derived.derived_fields
    known = size(wl(model={"name": "qwen2.5-7b"}), catalog=catalog).assumptions.architecture
    assert not known.derived and known.kv_heads == 4


def test_plan_without_accelerator_reports_memory_only(catalog: Catalog) -> None:
    result = size(wl(task="full_finetune"), Plan(count=8, zero_stage=3), catalog=catalog)
    assert result.fits is None and result.options == []
    assert result.per_device_gb.total < result.memory_gb.total


def test_plan_mfu_overrides_prior(catalog: Catalog) -> None:
    plan = Plan(accelerator="nvidia-h100-sxm", count=8, zero_stage=2, mfu=0.2)
    result = size(wl(train_tokens=1e9), plan, catalog=catalog)
    assert result.assumptions.mfu == 0.2 and result.assumptions.mfu_source == "plan.mfu"


def test_plan_without_count_searches_the_count(catalog: Catalog) -> None:
    """ "How many H100s, how long?": the smallest fitting count on that part, degrees the
    caller gave kept."""
    w = wl(model={"name": "llama-2-70b"}, task="full_finetune", train_tokens=1e9)
    result = size(w, Plan(accelerator="nvidia-h100-sxm"), catalog=catalog)
    assert result.fits is True and len(result.options) == 1
    option = result.options[0]
    assert option.accelerator == "nvidia-h100-sxm" and option.count >= 8
    assert option.memory_per_device_gb <= 80 * (1 - planner.SAFETY_MARGIN_FRACTION)
    assert result.gpu_hours == option.gpu_hours and result.gpu_hours is not None
    pinned = size(w, Plan(accelerator="nvidia-h100-sxm", tp=4, zero_stage=3), catalog=catalog)
    assert pinned.options[0].parallelism.tp == 4 and pinned.options[0].parallelism.zero_stage == 3
    with pytest.raises(ValidationError, match="count is required"):
        Plan(tp=2)


def test_outputs_keep_full_precision(catalog: Catalog) -> None:
    """A KV cache of 16 tokens is tiny but not zero (it used to round to 0.000 GB)."""
    w = wl(model={"name": "qwen2.5-0.5b"}, task="inference", serving={"context_len": 16})
    result = size(w, Plan(count=1), catalog=catalog)
    assert result.per_device_gb.kv_cache == pytest.approx(2 * 24 * 2 * 64 * 16 * 2 / 1e9)
    assert 0 < result.per_device_gb.kv_cache < 0.001


def test_context_and_expert_parallel_degrees(catalog: Catalog) -> None:
    w = wl(model={"name": "mixtral-8x7b"}, task="pretrain", seq_len=32768)
    plain = size(w, Plan(count=16, tp=2), catalog=catalog).per_device_gb
    cp = size(w, Plan(count=16, tp=2, cp=4), catalog=catalog).per_device_gb
    ep = size(w, Plan(count=16, tp=2, ep=8), catalog=catalog).per_device_gb
    assert cp.activations == pytest.approx(plain.activations / 4, rel=0.01)
    assert ep.weights < plain.weights / 4
    with pytest.raises(ValidationError, match="ep=3 must divide"):
        Plan(count=16, tp=2, ep=3)


def test_count_less_plan_honours_plan_mfu(catalog: Catalog) -> None:
    w = wl(model={"name": "llama-2-70b"}, task="full_finetune", train_tokens=1e9)
    result = size(w, Plan(accelerator="nvidia-h100-sxm", mfu=0.25), catalog=catalog)
    assert result.assumptions.mfu == pytest.approx(0.25)
    assert result.assumptions.mfu_source == "plan.mfu"


def test_count_plan_searches_the_degrees_it_leaves_unsaid(catalog: Catalog) -> None:
    """A count alone used to mean tp = pp = 1 and ZeRO 0: OPT-175B on 992 A100 (Zhang et al.
    2022 §2) was timed on a layout needing 3.5 TB per device. The unsaid degrees are searched
    within the count; given ones are kept; with no fitting layout the plan is judged as given."""
    opt = wl(
        model={"params_b": 175, "architecture": {"layers": 96, "hidden_size": 12288}},
        task="pretrain",
        train_tokens=1.8e11,
    )
    result = size(opt, Plan(accelerator="nvidia-a100-80gb-sxm", count=992), catalog=catalog)
    option = result.options[0]
    assert result.fits is True and option.count == 992
    assert option.memory_per_device_gb <= 80 * (1 - planner.SAFETY_MARGIN_FRACTION)
    assert (option.parallelism.tp, option.parallelism.zero_stage) != (1, 0)
    assert any("searched within the count" in n for n in result.assumptions.notes)
    kept = size(
        opt, Plan(accelerator="nvidia-a100-80gb-sxm", count=992, tp=8, pp=4), catalog=catalog
    ).options[0]
    assert (kept.parallelism.tp, kept.parallelism.pp) == (8, 4)
    alone = size(
        wl(task="full_finetune"), Plan(accelerator="nvidia-rtx-4090", count=1), catalog=catalog
    )
    assert alone.fits is False and alone.options[0].offload is Offload.none


@pytest.mark.parametrize(
    "workload",
    [
        {"model": {"params_b": 7}, "task": "lora"},
        {"model": {"params_b": 70}, "task": "full_finetune"},
        {"model": {"params_b": 175}, "task": "pretrain", "seq_len": 2048},
    ],
)
def test_a_ladders_first_fit_is_memoised_per_capacity(
    catalog: Catalog, workload: dict[str, Any]
) -> None:
    """Parts of one capacity share the first fitting layout; every capacity gets its own, as a
    fresh walk of the ladder finds it (whatever the shared ladder sized before)."""
    job = resolve_job(Workload.model_validate(workload))
    shared = planner.Ladder(job, 8, planner.Fixed(), planner.SearchCache())
    capacities = [planner.usable_bytes(acc) for acc in catalog if acc.memory_gb] + [1e9, 1e13]
    for capacity in capacities + capacities[::-1]:
        fresh = planner.Ladder(job, 8, planner.Fixed(), planner.SearchCache())
        assert shared.first_fitting(capacity) == next(fresh.fitting(capacity), None)
