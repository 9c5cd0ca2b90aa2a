"""Sizing service: one call from a validated workload (and optional fixed plan) to a result."""

from __future__ import annotations

from service.errors import InvalidInput
from service.sizing import memory, planner
from service.sizing.catalog import Catalog
from service.sizing.memory import GB, Accounting, Layout, Offload
from service.sizing.models import (
    ArchitectureAssumption,
    Assumptions,
    BytesPerParam,
    MemoryBreakdown,
    Overheads,
    Plan,
    PlanOption,
    SizingRequest,
    SizingResult,
)
from service.workloads.models import Task, Workload

TIER_FORMS = {
    "classified_facility": "classified_facility",
    "bare_metal": "bare_metal",
    "appliance": "appliance",
    "vpc": "cloud_host",
    "shared_cloud": "cloud_host",
}
SHORT_EXPERIMENT_HOURS = 24.0


def size(
    workload: Workload,
    plan: Plan | None = None,
    *,
    catalog: Catalog,
    accounting: Accounting = Accounting.framework,
) -> SizingResult:
    """Memory, compute, time and plans for a workload; with `plan`, whether that plan fits."""
    prep = planner.prepare(workload, accounting)
    job = planner.per_device_bytes(prep, Layout())
    notes: list[str] = []
    mfu: float | None = None
    mfu_source = "prior (model size and device count)"
    options: list[PlanOption] = []
    fits: bool | None
    reason: str | None

    if plan is not None:
        layout = _layout_for(prep, plan)
        values = planner.per_device_bytes(prep, layout)
        per_device = planner.breakdown_gb(values)
        host: float | None = None
        hours = gpu_hours = None
        if plan.accelerator is None:
            fits, reason = None, "no accelerator in the plan: per-device memory only"
        else:
            acc = catalog.get(plan.accelerator)
            _check_plan_against(prep, plan, acc.devices_per_node)
            option = planner.build_option(prep, acc, layout, plan.mfu)
            options = [option]
            host = option.host_memory_gb
            hours, gpu_hours, mfu = option.estimated_hours, option.gpu_hours, option.mfu
            why = acc.unusable_reason(prep.compute_precision)
            usable = planner.usable_gb(acc)
            if why and not acc.memory_gb:
                fits, reason = None, f"{acc.id}: {why}; cannot judge the fit"
            elif per_device.total <= usable:
                fits, reason = (
                    True,
                    (
                        f"needs {per_device.total:.1f} GB per device; {acc.id} has "
                        f"{acc.memory_gb:g} GB ({usable:.1f} GB usable after the "
                        f"{planner.SAFETY_MARGIN_FRACTION:.0%} safety margin)"
                    ),
                )
            else:
                fits, reason = (
                    False,
                    (
                        f"needs {per_device.total:.1f} GB per device but {acc.id} offers "
                        f"{usable:.1f} GB usable ({acc.memory_gb:g} GB less the "
                        f"{planner.SAFETY_MARGIN_FRACTION:.0%} safety margin)"
                    ),
                )
            if why:
                notes.append(f"{acc.id}: {why}; no time estimate")
        if plan.mfu is not None:
            mfu_source = "plan.mfu"
    else:
        options, skipped = planner.search(prep, catalog)
        if options:
            first = options[0]
            per_device = first.per_device_gb
            host, hours, gpu_hours, mfu = (
                first.host_memory_gb,
                first.estimated_hours,
                first.gpu_hours,
                first.mfu,
            )
            fits, reason = True, f"{len(options)} accelerator(s) can run it; first is cheapest"
        else:
            per_device = planner.breakdown_gb(job)
            host = hours = gpu_hours = None
            fits = False
            reason = "does not fit on any usable accelerator: " + "; ".join(skipped[:5])
        notes.extend(f"not recommended: {s}" for s in skipped if "does not fit" not in s)

    if prep.training and workload.train_tokens is None:
        notes.append("train_tokens not given: no FLOPs or time estimate")
    if not prep.training:
        notes.append("inference: no training FLOPs; decode_tokens_per_s is bandwidth-bound")

    return SizingResult(
        memory_gb=planner.breakdown_gb(job),
        per_device_gb=per_device,
        host_memory_gb=host,
        train_flops=prep.train_flops,
        gpu_hours=gpu_hours,
        estimated_hours=hours,
        assumptions=_assumptions(prep, mfu, mfu_source, notes),
        fits=fits,
        reason=reason,
        plan=plan,
        options=options,
    )


def size_request(request: SizingRequest, *, catalog: Catalog) -> SizingResult:
    """`POST /v1/sizing` body → result."""
    return size(request.workload, request.plan, catalog=catalog, accounting=request.accounting)


def resource_form(option: PlanOption, *, tier: str, workload: Workload) -> str:
    """The resource form (DESIGN.md §2): multi-node training needs bare metal for the fast
    interconnect — unless the tier is the classified facility, which is higher on the ladder and
    never traded down; otherwise the form the tier implies; a short experiment
    (deadline_hours ≤ 24) on shared cloud runs in a per-second container."""
    if tier not in TIER_FORMS:
        raise InvalidInput(f"unknown tier {tier!r}; one of {', '.join(TIER_FORMS)}", field="tier")
    if tier == "classified_facility":
        return "classified_facility"
    if option.nodes > 1 and workload.task is not Task.inference:
        return "bare_metal"
    deadline = workload.deadline_hours
    if tier == "shared_cloud" and deadline is not None and deadline <= SHORT_EXPERIMENT_HOURS:
        return "cloud_container"
    return TIER_FORMS[tier]


def _layout_for(prep: planner.Prepared, plan: Plan) -> Layout:
    if not prep.training and (plan.zero_stage or plan.offload is not Offload.none):
        field = "plan.zero_stage" if plan.zero_stage else "plan.offload"
        raise InvalidInput("ZeRO stages and offload apply to training, not inference", field=field)
    if plan.pp > prep.arch.layers:
        raise InvalidInput(
            f"pp={plan.pp} exceeds the model's {prep.arch.layers} layers", field="plan.pp"
        )
    return Layout(plan.data_parallel, plan.tp, plan.pp, plan.zero_stage, plan.offload)


def _check_plan_against(prep: planner.Prepared, plan: Plan, devices_per_node: int) -> None:
    if plan.tp > devices_per_node:
        raise InvalidInput(
            f"tp={plan.tp} exceeds the {devices_per_node} devices of one node; tensor "
            "parallelism stays inside a node",
            field="plan.tp",
        )


def _assumptions(
    prep: planner.Prepared, mfu: float | None, mfu_source: str, notes: list[str]
) -> Assumptions:
    arch, profile, w = prep.arch, prep.profile, prep.workload
    return Assumptions(
        accounting=prep.accounting,
        bytes_per_param=BytesPerParam(
            weights=profile.weights,
            frozen_weights=round(profile.frozen_weights, 4),
            gradients=profile.grad_low,
            fp32_gradients=profile.grad_fp32,
            optimizer_states=round(profile.optimizer, 4),
            trainable_total=round(profile.trainable_total, 4) if prep.training else 0.0,
        ),
        trainable_params_b=round(prep.split.trainable / 1e9, 6),
        frozen_params_b=round(prep.split.frozen / 1e9, 6),
        quantization_bits=memory.quant_bits(w),
        quant_constant_bits=round(memory.QUANT_CONSTANT_BITS, 4),
        recomputation=prep.recompute.value,
        flash_attention=True,
        sequence_parallel_with_tp=True,
        seq_len=prep.seq_len if prep.training else w.serving.context_len,
        micro_batch_size=w.micro_batch_size if prep.training else w.serving.concurrent_sequences,
        kv_cache_bytes_per_value=prep.kv_value_bytes or None,
        mfu=mfu,
        mfu_source=mfu_source if mfu is not None else "not applicable",
        train_tokens=w.train_tokens,
        flops_per_token=prep.flops_per_token,
        overheads=Overheads(
            cuda_context_gb=memory.CUDA_CONTEXT_GB,
            fragmentation_fraction=memory.FRAGMENTATION_FRACTION,
            safety_margin_fraction=planner.SAFETY_MARGIN_FRACTION,
        ),
        architecture=ArchitectureAssumption.model_validate(arch),
        ranking=planner.RANKING,
        notes=notes,
    )


def gb(value_bytes: float) -> float:
    return value_bytes / GB


__all__ = ["MemoryBreakdown", "resource_form", "size", "size_request"]
