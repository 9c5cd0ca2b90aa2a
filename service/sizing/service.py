"""Sizing service: one call from a validated workload (and optional plan) to a result.

The pipeline, one module per stage, each readable alone:
  1. job.py        resolve the job (architecture, bytes profile, FLOPs) — once per request
  2. footprint.py  the memory model of one layout (DeviceMemory)
  3. timing.py     compute and communication: step time, MFU/HFU, TTFT/TPOT (Timing)
  4. planner.py    plan search per accelerator (Candidate)
  5. options.py    PlanOption and ranking
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from service.errors import InvalidInput
from service.files import read_json
from service.settings import get_settings
from service.sizing import compute, footprint, memory, options, planner
from service.sizing.catalog import Accelerator, Catalog
from service.sizing.job import Job, resolve_job
from service.sizing.memory import GB, Accounting, Layout, Offload
from service.sizing.models import (
    Assumptions,
    BytesPerParam,
    Overheads,
    Plan,
    PlanOption,
    SizingRequest,
    SizingResult,
)
from service.sizing.planner import Candidate, Fixed, SearchCache
from service.sizing.timing import timing
from service.sizing.trusted import trusted
from service.workloads.models import Attention, Task, Workload

SHORT_EXPERIMENT_HOURS = 24.0
DEFAULT_DEVICES_PER_NODE = 8  # HGX/DGX-class servers, when the plan names no accelerator


def size(
    workload: Workload,
    plan: Plan | None = None,
    *,
    catalog: Catalog,
    accounting: Accounting = Accounting.framework,
    hours_basis: compute.HoursBasis = compute.HoursBasis.campaign,
) -> SizingResult:
    """Memory, compute, time and plans for a workload; with `plan`, whether that plan fits."""
    job = resolve_job(workload, accounting, goodput=compute.goodput(hours_basis))
    whole_job = options.breakdown_gb(footprint.device_memory(job, Layout()))
    notes: list[str] = []
    mfu_source = "prior (model size and the part's peak; service/sizing/data/mfu_calibration.json)"
    found: list[PlanOption] = []
    fits: bool | None
    reason: str | None
    per_device = whole_job
    host_gb: float | None = None

    if plan is not None and plan.count is not None:
        layout = _layout_for(job, plan)
        mem = footprint.device_memory(job, layout)
        per_device = options.breakdown_gb(mem)
        if plan.accelerator is None:
            fits, reason = None, "no accelerator in the plan: per-device memory only"
            host_gb = footprint.host_bytes(job, layout, DEFAULT_DEVICES_PER_NODE) / GB
            notes.append(
                f"host_memory_gb assumes {DEFAULT_DEVICES_PER_NODE} devices per node "
                "(no accelerator in the plan)"
            )
        else:
            acc = catalog.get(plan.accelerator)
            _check_plan_against(plan, acc.devices_per_node)
            at_count = _at_count(job, acc, plan, layout)
            if at_count.layout != layout:
                per_device = options.breakdown_gb(at_count.memory)
                notes.append(_searched_note(plan, at_count.layout))
            option = options.build_option(job, at_count)
            found = [option]
            fits, reason = _fit_verdict(acc.id, acc.memory_gb, per_device.total, why=None)
            why = acc.unusable_reason(job.compute_precision)
            if why and not acc.memory_gb:
                fits, reason = None, f"{acc.id}: {why}; cannot judge the fit"
            elif why:
                notes.append(f"{acc.id}: {why}; no time estimate")
            notes.extend(_serving_target_notes(job, option))
    elif plan is not None:
        assert plan.accelerator is not None  # Plan validation: no count needs an accelerator
        acc = catalog.get(plan.accelerator)
        _check_plan_against(plan, acc.devices_per_node)
        why = acc.unusable_reason(job.compute_precision)
        candidate = (
            None if why else planner.smallest_fit(job, acc, fixed=_fixed(plan), mfu=plan.mfu)
        )
        if candidate is not None:
            option = options.build_option(job, candidate)
            found = [option]
            per_device = option.per_device_gb
            fits = True
            reason = (
                f"smallest fitting count on {acc.id}: {option.count} "
                f"({option.memory_per_device_gb:.1f} GB per device of {acc.memory_gb:g} GB)"
            )
        else:
            fits = False
            reason = (
                f"{acc.id}: {why}"
                if why
                else (
                    f"does not fit on {acc.id} in {planner.MAX_DEVICES} devices"
                    + (" meeting the serving targets" if _has_targets(job) else "")
                )
            )
    else:
        found, skipped = _search(job, catalog)
        if found:
            per_device = found[0].per_device_gb
            fits, reason = True, f"{len(found)} accelerator(s) can run it; first is cheapest"
        else:
            fits = False
            reason = "does not fit on any usable accelerator: " + "; ".join(skipped[:5])
        notes.extend(f"not recommended: {s}" for s in skipped if "does not fit" not in s)

    if plan is not None and plan.mfu is not None:
        mfu_source = "plan.mfu"
    if job.training and workload.train_tokens is None:
        notes.append("train_tokens not given: no FLOPs or time estimate")
    if not job.training:
        notes.append(
            "inference: TTFT is one prompt's prefill on an idle replica; TPOT one decode step "
            "of the whole batch at the full context (bandwidth-bound unless the batch is large)"
        )
    first = found[0] if found else None
    # Trusted, as the options are (service/sizing/trusted.py): every value below is of its
    # field's type already (not validating the result and its assumptions: 4.62 -> 4.55 M
    # instructions a benchmark size()).
    return trusted(
        SizingResult,
        {
            "memory_gb": whole_job,
            "per_device_gb": per_device,
            "host_memory_gb": first.host_memory_gb if first else host_gb,
            "train_flops": job.train_flops,
            "gpu_hours": first.gpu_hours if first else None,
            "estimated_hours": first.estimated_hours if first else None,
            "ttft_ms": first.ttft_ms if first else None,
            "tpot_ms": first.tpot_ms if first else None,
            "tokens_per_s_per_replica": first.tokens_per_s_per_replica if first else None,
            "binding_constraint": first.binding_constraint if first else None,
            "assumptions": _assumptions(job, first, mfu_source, notes),
            "fits": fits,
            "reason": reason,
            "plan": plan,
            "options": found,
        },
    )


def size_request(request: SizingRequest, *, catalog: Catalog) -> SizingResult:
    """`POST /v1/sizing` body → result."""
    return size(
        request.workload,
        request.plan,
        catalog=catalog,
        accounting=request.accounting,
        hours_basis=request.hours_basis,
    )


def _search(job: Job, catalog: Catalog) -> tuple[list[PlanOption], list[str]]:
    """One option per usable accelerator, cheapest first; plus why others were left out."""
    found: list[Candidate] = []
    skipped: list[str] = []
    cache = SearchCache()
    for acc in catalog:
        why = acc.unusable_reason(job.compute_precision)
        if why:
            skipped.append(f"{acc.id}: {why}")
            continue
        candidate = planner.smallest_fit(job, acc, cache=cache)
        if candidate is None:
            skipped.append(f"{acc.id}: does not fit in {planner.MAX_DEVICES} devices")
            continue
        found.append(candidate)
    return options.rank(options.build_options(job, found)), skipped


def _has_targets(job: Job) -> bool:
    serving = job.workload.serving
    return not job.training and (serving.ttft_ms is not None or serving.tpot_ms is not None)


def _serving_target_notes(job: Job, option: PlanOption) -> list[str]:
    serving = job.workload.serving
    notes: list[str] = []
    if job.training:
        return notes
    if serving.ttft_ms is not None and (option.ttft_ms or 0.0) > serving.ttft_ms:
        notes.append(f"misses serving.ttft_ms {serving.ttft_ms:g}: {option.ttft_ms:.4g} ms")
    if serving.tpot_ms is not None and (option.tpot_ms or 0.0) > serving.tpot_ms:
        notes.append(f"misses serving.tpot_ms {serving.tpot_ms:g}: {option.tpot_ms:.4g} ms")
    return notes


def _fit_verdict(
    acc_id: str, memory_gb: float | None, needed: float, *, why: str | None
) -> tuple[bool, str]:
    capacity = memory_gb or 0.0
    usable = capacity * (1.0 - planner.SAFETY_MARGIN_FRACTION)
    margin = f"{planner.SAFETY_MARGIN_FRACTION:.0%}"
    if needed <= usable:
        return True, (
            f"needs {needed:.1f} GB per device; {acc_id} has {capacity:g} GB "
            f"({usable:.1f} GB usable after the {margin} safety margin)"
        )
    return False, (
        f"needs {needed:.1f} GB per device but {acc_id} offers {usable:.1f} GB usable "
        f"({capacity:g} GB less the {margin} safety margin)"
    )


TIERS_RELATIVE = os.path.join("tiergate", "reference", "tiers", "data.json")


def tier_forms(policies_dir: Path) -> dict[str, str]:
    """Tier → the resource form it implies, as the tier data says now (reference/tiers/data.json,
    reread when it changes)."""
    return read_json(os.path.join(policies_dir, TIERS_RELATIVE), _forms_of)


def _forms_of(tiers: dict[str, Any]) -> dict[str, str]:
    return {str(tier["id"]): str(tier["resource_form"]) for tier in tiers["ladder"]}


@lru_cache(maxsize=1)
def _configured_policies_dir() -> Path:
    return get_settings().policies_dir


def resource_form(
    option: PlanOption, *, tier: str, workload: Workload, policies_dir: Path | None = None
) -> str:
    """The resource form (docs/architecture.md): multi-node training needs bare metal for the fast
    interconnect — unless the tier is the classified facility, which is higher on the ladder and
    never traded down; otherwise the form the tier data gives the tier; a short experiment
    (deadline_hours ≤ 24) on shared cloud runs in a per-second container."""
    return resource_forms([option], tier=tier, workload=workload, policies_dir=policies_dir)[0]


def resource_forms(
    options: list[PlanOption], *, tier: str, workload: Workload, policies_dir: Path | None = None
) -> list[str]:
    """`resource_form` of each option, the tier data read once for all of them (a decision
    recommends up to 4 plans: 25 -> 7 µs); none read without options."""
    if not options:
        return []
    forms = tier_forms(policies_dir or _configured_policies_dir())
    if tier not in forms:
        raise InvalidInput(f"unknown tier {tier!r}; one of {', '.join(forms)}", field="tier")
    return [_form_of(option, tier, workload, forms) for option in options]


def _form_of(option: PlanOption, tier: str, workload: Workload, forms: dict[str, str]) -> str:
    if tier == "classified_facility":
        return "classified_facility"
    if option.nodes > 1 and workload.task is not Task.inference:
        return "bare_metal"
    deadline = workload.deadline_hours
    if tier == "shared_cloud" and deadline is not None and deadline <= SHORT_EXPERIMENT_HOURS:
        return "cloud_container"
    return forms[tier]


def _fixed(plan: Plan) -> Fixed:
    """The degrees a count-less plan pins: those the caller set explicitly."""
    given = plan.model_fields_set
    return Fixed(
        tp=plan.tp if "tp" in given else None,
        pp=plan.pp if "pp" in given else None,
        dp=plan.dp,
        cp=plan.cp,
        ep=plan.ep,
        zero_stage=plan.zero_stage if "zero_stage" in given else None,
        offload=plan.offload if "offload" in given else None,
    )


def _at_count(job: Job, acc: Accelerator, plan: Plan, given: Layout) -> Candidate:
    """A plan with a count: the degrees it leaves unsaid (tp, pp, ZeRO stage) are searched
    within that count — a count alone used to mean tp = pp = 1, which for a 175B model on 992
    GPUs timed a layout needing 3.5 TB per device. When no layout of the count fits, the plan
    as given is judged (and reported as not fitting)."""
    fixed = replace(_fixed(plan), offload=plan.offload)
    found = planner.fit_at_count(job, acc, given.count, fixed=fixed, mfu=plan.mfu)
    if found is not None:
        return found
    mem = footprint.device_memory(job, given)
    return Candidate(acc, given, mem, timing(job, acc, given, mem, plan.mfu))


def _searched_note(plan: Plan, layout: Layout) -> str:
    given = plan.model_fields_set
    said = [name for name in ("tp", "pp", "dp", "zero_stage") if name in given]
    return (
        f"plan.count {layout.count} without "
        + "/".join(n for n in ("tp", "pp", "zero_stage") if n not in said)
        + f": searched within the count, first fitting layout tp={layout.tp}, pp={layout.pp}, "
        f"dp={layout.dp}, zero_stage={layout.zero_stage}"
    )


def _layout_for(job: Job, plan: Plan) -> Layout:
    if not job.training and (plan.zero_stage or plan.offload is not Offload.none):
        field = "plan.zero_stage" if plan.zero_stage else "plan.offload"
        raise InvalidInput("ZeRO stages and offload apply to training, not inference", field=field)
    if plan.pp > job.arch.layers:
        raise InvalidInput(
            f"pp={plan.pp} exceeds the model's {job.arch.layers} layers", field="plan.pp"
        )
    dp = plan.data_parallel
    assert dp is not None
    return Layout(dp, plan.tp, plan.pp, plan.zero_stage, plan.offload, plan.cp, plan.ep)


def _check_plan_against(plan: Plan, devices_per_node: int) -> None:
    if plan.tp > devices_per_node:
        raise InvalidInput(
            f"tp={plan.tp} exceeds the {devices_per_node} devices of one node; tensor "
            "parallelism stays inside a node",
            field="plan.tp",
        )


def _assumptions(
    job: Job, first: PlanOption | None, mfu_source: str, notes: list[str]
) -> Assumptions:
    arch, profile, w = job.arch, job.profile, job.workload
    mfu = first.mfu if first else None
    dp, pp = (first.parallelism.dp, first.parallelism.pp) if first else (1, 1)
    return trusted(
        Assumptions,
        {
            "accounting": job.accounting,
            "bytes_per_param": trusted(
                BytesPerParam,
                {
                    "weights": profile.weights,
                    "frozen_weights": profile.frozen_weights,
                    "gradients": profile.grad_low,
                    "fp32_gradients": profile.grad_fp32,
                    "optimizer_states": profile.optimizer,
                    "trainable_total": profile.trainable_total if job.training else 0.0,
                },
            ),
            "trainable_params_b": job.split.trainable / 1e9,
            "frozen_params_b": job.split.frozen / 1e9,
            "quantization_bits": memory.quant_bits(w),
            "quantization_method": memory.quant_method(w),
            "quant_constant_bits": memory.quant_constant_bits(w, arch.hidden_size)
            if memory.quant_bits(w)
            else 0.0,
            "quantization_scope": memory.quant_scope(w) if memory.quant_bits(w) else None,
            "quant_buffer_gb": job.quant_buffer / memory.GB,
            "recomputation": job.recompute.value,
            "attention": w.attention,
            "flash_attention": w.attention is not Attention.eager,
            "sequence_parallel_with_tp": True,
            "seq_len": job.seq_len if job.training else w.serving.context_len,
            "micro_batch_size": w.micro_batch_size
            if job.training
            else w.serving.concurrent_sequences,
            "kv_cache_bytes_per_value": job.kv_value_bytes or None,
            "mfu": mfu,
            "hfu": first.hfu if first else None,
            "goodput": job.goodput if job.training else None,
            "mfu_source": mfu_source if mfu is not None else "not applicable",
            "train_tokens": w.train_tokens,
            "global_batch_size": job.global_batch(dp, pp) if job.training else None,
            "flops_per_token": job.model_flops_per_token,
            "executed_flops_per_token": job.executed_flops_per_token,
            "overheads": trusted(
                Overheads,
                {
                    "cuda_context_gb": memory.CUDA_CONTEXT_GB,
                    "fragmentation_fraction": memory.FRAGMENTATION_FRACTION,
                    "safety_margin_fraction": planner.SAFETY_MARGIN_FRACTION,
                },
            ),
            "architecture": arch,
            "ranking": options.RANKING,
            "notes": notes,
        },
    )


__all__ = ["resource_form", "resource_forms", "size", "size_request"]
